// `tollgate run` keeps budgets across a stop and start: graceful shutdown writes the state file.

import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/run.js';
import { completion, fakeOpenAI, UPSTREAM } from '../helpers/upstream.js';

const CONFIG = `version: '1'
server: { host: 127.0.0.1, port: 0 }
providers:
  targets:
    - { id: mock, provider: mock, reply: 'Budget kept.', models: [gpt-4o-mini] }
    - { id: slow, provider: openai, base_url: '${UPSTREAM}', secret_key_ref: { env: TOLLGATE_RUN_TEST_KEY } }
consumer_groups:
  - name: team
    api_key: kt_run_team
    rate_limits: { requests_per_minute: 100, tokens_per_day: 10000 }
`;

const upstream = fakeOpenAI();
let dir: string;
let configFile: string;

beforeAll(() => {
  upstream.listen();
  process.env.TOLLGATE_RUN_TEST_KEY = 'sk-run-test';
});
afterAll(() => {
  upstream.close();
  delete process.env.TOLLGATE_RUN_TEST_KEY;
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tollgate-run-'));
  configFile = join(dir, 'policy.yaml');
  await writeFile(configFile, CONFIG);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** Starts `tollgate run` in this process and resolves with its URL and its exit code to come. */
async function start(): Promise<{ url: string; exited: Promise<number> }> {
  let ready: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => {
    ready = resolve;
  });
  // The summary, with its ready line, goes to stderr; the config's lint warnings and the JSON logs are
  // not what these tests look at.
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
    const m = /Gateway ready on (\S+)/.exec(String(line));
    if (m?.[1]) ready(m[1]);
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const exited = run({ config: configFile });
  return { url: await Promise.race([url, exited.then((code) => `exited ${code}`)]), exited };
}

const chat = (url: string, model = 'gpt-4o-mini') =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer kt_run_team' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }] }),
  });

/** A chat on a connection that closes after the answer, as a load balancer draining an instance would. */
function closingChat(url: string, model: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }] });
    const headers = { 'content-type': 'application/json', authorization: 'Bearer kt_run_team' };
    const req = request(`${url}/v1/chat/completions`, { method: 'POST', agent: false, headers }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject).end(body);
  });
}

async function dayRemaining(url: string): Promise<number> {
  const res = await chat(url);
  expect(res.status).toBe(200);
  return Number(res.headers.get('x-ratelimit-remaining-tokens-day'));
}

describe('tollgate run with the memory store', () => {
  it('keeps tokens_per_day across SIGTERM and a restart', async () => {
    const first = await start();
    const afterOne = await dayRemaining(first.url);
    expect(afterOne).toBeLessThan(10_000);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await first.exited).toBe(0);
    expect(await readdir(dir)).toContain('.tollgate-state.policy.json');

    const second = await start();
    const spent = 10_000 - afterOne;
    expect(await dayRemaining(second.url)).toBe(10_000 - 2 * spent);
    process.emit('SIGINT', 'SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('finishes a request in flight at SIGTERM, refuses new connections, and keeps its usage', async () => {
    upstream.answer(async () => {
      await delay(300);
      return HttpResponse.json(completion('Slow answer', { prompt_tokens: 1_000, completion_tokens: 500 }));
    });
    const first = await start();
    const inFlight = closingChat(first.url, 'slow-model');
    await delay(100);
    process.emit('SIGTERM', 'SIGTERM');
    await delay(20);
    await expect(chat(first.url)).rejects.toThrow();
    expect(await inFlight).toBe(200);
    expect(await first.exited).toBe(0);

    const second = await start();
    const remaining = await dayRemaining(second.url);
    expect(remaining).toBeLessThan(10_000 - 1_500);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await second.exited).toBe(0);
    upstream.reset();
  });

  it("writes its default state and events files to $TOLLGATE_DATA_DIR instead of the config's folder", async () => {
    const data = await mkdtemp(join(tmpdir(), 'tollgate-data-'));
    process.env.TOLLGATE_DATA_DIR = data;
    try {
      const gateway = await start();
      await dayRemaining(gateway.url);
      process.emit('SIGTERM', 'SIGTERM');
      expect(await gateway.exited).toBe(0);
      expect((await readdir(data)).sort()).toEqual(['.tollgate-state.policy.json', 'tollgate-events.jsonl']);
      expect(await readdir(dir)).toEqual(['policy.yaml']);
    } finally {
      delete process.env.TOLLGATE_DATA_DIR;
      await rm(data, { recursive: true, force: true });
    }
  });

  it('says draining on /readyz from SIGTERM on, serves through drain_delay_ms, then stops', async () => {
    await writeFile(configFile, CONFIG.replace('port: 0 }', 'port: 0, drain_delay_ms: 400 }'));
    const gateway = await start();
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    process.emit('SIGTERM', 'SIGTERM');
    const draining = await fetch(`${gateway.url}/readyz`);
    expect(draining.status).toBe(503);
    expect(((await draining.json()) as { error: { code: string } }).error.code).toBe('draining');
    expect((await chat(gateway.url)).status).toBe(200);
    expect(await gateway.exited).toBe(0);
  });

  it('starts with empty counters when the state file is corrupt, and sets the file aside', async () => {
    await writeFile(join(dir, '.tollgate-state.policy.json'), 'not json at all');
    const gateway = await start();
    expect(gateway.url).toMatch(/^http:/);
    expect(await dayRemaining(gateway.url)).toBeGreaterThan(9_000);
    expect((await readdir(dir)).some((n) => n.startsWith('.tollgate-state.policy.json.corrupt-'))).toBe(true);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await gateway.exited).toBe(0);
  });
});
