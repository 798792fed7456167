// Reloading the config of a running `tollgate run` process: SIGHUP, `tollgate reload`, the admin endpoint.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localUpstream } from './helpers/local-upstream.js';
import { ROOT, tollgate } from './lint/cli.js';

const CLI = join(ROOT, 'dist/src/cli/main.js');
const TOKEN = 'reload-test-admin-token-0123456789abcdef';
let dir: string;
let file: string;
let gateway: ChildProcess;
let url: string;
let stdout = '';
let upstream: Awaited<ReturnType<typeof localUpstream>>;

const config = (rpm: number, extra = '', slowModels = '[gpt-4o-mini, slow-model]') => `
providers:
  targets:
    - { id: mock, provider: mock, models: [gpt-4o-mini] }
    - { id: slow, provider: openai, base_url: '${upstream.baseUrl}', models: [slow-model] }
consumer_groups:
  - name: team
    api_key: kt_reload_team
    rate_limits: { requests_per_minute: ${rpm} }
    allowed_models: ${slowModels}
${extra}`;

const chat = (key: string, model = 'gpt-4o-mini') =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
const logLines = () =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const reloads = () => logLines().filter((l) => l.msg === 'reload');
const hangUp = async () => {
  const before = reloads().length;
  gateway.kill('SIGHUP');
  await expect.poll(() => reloads().length, { timeout: 10_000 }).toBe(before + 1);
  return reloads().at(-1)!;
};
const reloadCli = () => tollgate(['reload', '--url', url], { env: { TOLLGATE_ADMIN_TOKEN: TOKEN } });

beforeAll(async () => {
  upstream = await localUpstream((_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: 'slow-model',
          choices: [{ index: 0, message: { role: 'assistant', content: 'slow' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
        }),
      );
    }, 800);
  });
  dir = mkdtempSync(join(tmpdir(), 'tollgate-reload-'));
  file = join(dir, 'policy.yaml');
  writeFileSync(file, config(3));
  gateway = spawn(process.execPath, [CLI, 'run', '--config', file, '--port', '0'], {
    env: { PATH: process.env.PATH ?? '', TOLLGATE_ADMIN_TOKEN: TOKEN },
  });
  let stderr = '';
  gateway.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  gateway.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  url = await new Promise<string>((resolve, reject) => {
    gateway.stderr?.on('data', () => {
      const found = /Gateway ready on (\S+)/.exec(stderr)?.[1];
      if (found) resolve(found);
    });
    gateway.once('exit', (code) => reject(new Error(`tollgate run exited ${code}: ${stderr}`)));
  });
});

afterAll(async () => {
  gateway?.kill('SIGTERM');
  await upstream.close();
});

describe('config reload', () => {
  it('SIGHUP applies a valid config and keeps the counters of groups that still exist', async () => {
    expect((await chat('kt_reload_team')).headers.get('x-ratelimit-remaining-requests')).toBe('2');
    writeFileSync(
      file,
      config(5, `  - name: newcomers\n    api_key: kt_reload_new\n    rate_limits: { requests_per_minute: 7 }\n`),
    );
    expect(await hangUp()).toMatchObject({ outcome: 'applied', trigger: 'SIGHUP', groups: 2 });
    expect(gateway.exitCode).toBeNull();
    // team's first request still counts: 5 - 2.
    expect((await chat('kt_reload_team')).headers.get('x-ratelimit-remaining-requests')).toBe('3');
    const fresh = await chat('kt_reload_new');
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('x-ratelimit-limit-requests')).toBe('7');
  });

  it('keeps serving the old config when the new one has errors, logging each with file:line:col', async () => {
    writeFileSync(file, `${config(50)}  - name: broken\n    rate_limitz: {}\n`);
    const event = await hangUp();
    expect(event).toMatchObject({ outcome: 'rejected', trigger: 'SIGHUP' });
    const errors = logLines().filter((l) => l.level === 50 && String(l.msg).startsWith(`${file}:`));
    expect(errors.some((l) => /policy\.yaml:\d+:\d+: error: unknown field "rate_limitz"/.test(String(l.msg)))).toBe(
      true,
    );
    const res = await chat('kt_reload_team');
    expect(res.headers.get('x-ratelimit-limit-requests')).toBe('5');
  });

  it('`tollgate reload` reports a rejected and an applied reload with its exit code', async () => {
    const rejected = await reloadCli();
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/reload rejected: .*has errors/);
    expect(rejected.stderr).toContain('unknown field "rate_limitz"');
    writeFileSync(file, config(9));
    const applied = await reloadCli();
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('reloaded: 1 consumer group(s), 0 consumer(s)');
  });

  it('refuses a change that needs a restart (the store), naming it', async () => {
    writeFileSync(file, `${config(9)}store: { type: memory, state_file: false }\n`);
    expect(await hangUp()).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('store changed') });
    writeFileSync(file, config(9));
  });

  it('lets a request in flight finish under the policy it started with', async () => {
    const inFlight = chat('kt_reload_team', 'slow-model');
    await expect.poll(() => upstream.received.length).toBeGreaterThan(0);
    writeFileSync(file, config(9, '', '[gpt-4o-mini]'));
    expect(await hangUp()).toMatchObject({ outcome: 'applied' });
    expect((await inFlight).status).toBe(200);
    expect((await chat('kt_reload_team', 'slow-model')).status).toBe(403);
  });

  it('writes each reload to the events file', () => {
    const lines = readFileSync(join(dir, 'tollgate-events.jsonl'), 'utf8').trim().split('\n');
    const outcomes = lines
      .map((l) => JSON.parse(l) as { msg: string; outcome: string })
      .filter((e) => e.msg === 'reload');
    expect(outcomes.map((e) => e.outcome)).toEqual([
      'applied',
      'rejected',
      'rejected',
      'applied',
      'rejected',
      'applied',
    ]);
  });
});
