// Seed 003 command for command, as a platform team types it: `tollgate` CLI processes, curl-like HTTP, jq.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_003, SEED_ENV } from './helpers/configs.js';
import { localUpstream } from './helpers/local-upstream.js';
import { UPSTREAM } from './helpers/upstream.js';
import { ROOT } from './lint/cli.js';

const CLI = join(ROOT, 'dist/src/cli/main.js');
let dir: string;
let gateway: ChildProcess;
let url: string;
let stdout = '';
let stderr = '';
let upstream: Awaited<ReturnType<typeof localUpstream>>;

/** `tollgate ARGS` in the seed's folder, to its end. */
const tollgate = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });

const chat = (key: string | null, model = 'gpt-4o-mini', content = 'ping') =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(key ? { 'X-Consumer-Group': key } : {}) },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });

beforeAll(async () => {
  upstream = await localUpstream((_req, res, body) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 8, completion_tokens: 142, total_tokens: 150 },
      }),
    );
  });
  dir = mkdtempSync(join(tmpdir(), 'tollgate-seed-003-'));
  // The seed's file; only the target points at a local upstream instead of api.openai.com.
  writeFileSync(join(dir, 'policy-config.yaml'), SEED_003.replace(UPSTREAM, upstream.baseUrl));
});

afterAll(async () => {
  gateway?.kill('SIGTERM');
  await upstream.close();
});

describe('seed 003 with the tollgate CLI', () => {
  it('step 2: `policy lint --file` passes the seed config', () => {
    const lint = tollgate(['policy', 'lint', '--file', 'policy-config.yaml']);
    expect(lint.status).toBe(0);
    expect(lint.stdout).toContain('Loaded 3 consumer group(s)');
  });

  it('step 2: `gateway run --policy-config … --port` starts, JSON on stdout, the summary on stderr', async () => {
    gateway = spawn(process.execPath, [CLI, 'gateway', 'run', '--policy-config', 'policy-config.yaml', '--port', '0'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...SEED_ENV },
    });
    gateway.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    gateway.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    await expect.poll(() => /Gateway ready on (\S+)/.exec(stderr)?.[1], { timeout: 15_000 }).toBeTruthy();
    url = /Gateway ready on (\S+)/.exec(stderr)![1]!;
    expect(stderr).toContain('INFO tollgate Loaded 3 consumer group(s)');
    expect(stderr).toContain('Rate limits: engineering=60rpm/100k-tpm');
  });

  it('steps 3 to 6 and 8: headers, the 21st request, isolation, model access, defaults', async () => {
    const first = await chat('kt_cg_engineering_abc123', 'gpt-4o-mini', 'Hello');
    expect(first.status).toBe(200);
    expect(first.headers.get('X-RateLimit-Limit-Requests')).toBe('60');
    expect(first.headers.get('X-RateLimit-Remaining-Requests')).toBe('59');
    expect(first.headers.get('X-RateLimit-Remaining-Tokens')).toBe('99850');

    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await chat('kt_cg_marketing_def456')).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
    const refused = await chat('kt_cg_marketing_def456');
    expect(((await refused.json()) as { error: { details: unknown } }).error.details).toMatchObject({
      consumer_group: 'marketing',
      limit: 'requests_per_minute',
      limit_value: 20,
    });
    expect((await chat('kt_cg_engineering_abc123')).status).toBe(200);

    const denied = await chat('kt_cg_marketing_def456', 'gpt-4o', 'Hello');
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { message: string } }).error.message).toBe(
      'Model gpt-4o is not allowed for consumer group: marketing',
    );
    expect((await chat(null, 'gpt-4o-mini', 'Hello')).headers.get('X-RateLimit-Limit-Requests')).toBe('10');
  });

  it('step 7: `events tail --last 5 --format json | jq …` prints the seed shape, with no events setting', async () => {
    // 26 requests were made above; each leaves one event when it ends.
    const count = () =>
      (JSON.parse(tollgate(['events', 'tail', '--last', '100', '--format', 'json']).stdout) as []).length;
    await expect.poll(count).toBe(26);
    const tail = tollgate(['events', 'tail', '--last', '5', '--format', 'json']);
    expect(tail.status).toBe(0);
    const jq = spawnSync(
      'jq',
      [
        '-c',
        '.[] | {consumer_group, tokens_used: .usage.total_tokens, rate_limit_remaining: .rate_limit.remaining_requests}',
      ],
      { input: tail.stdout, encoding: 'utf8' },
    );
    expect(jq.error).toBeUndefined();
    expect(jq.stdout.trim().split('\n')).toEqual([
      '{"consumer_group":"marketing","tokens_used":null,"rate_limit_remaining":0}',
      '{"consumer_group":"marketing","tokens_used":null,"rate_limit_remaining":0}',
      '{"consumer_group":"engineering","tokens_used":150,"rate_limit_remaining":58}',
      '{"consumer_group":"marketing","tokens_used":null,"rate_limit_remaining":0}',
      '{"consumer_group":"default","tokens_used":150,"rate_limit_remaining":9}',
    ]);
    const refusals = tollgate(['events', 'tail', '--status', 'rate_limited', '--format', 'json']);
    const outcomes = (JSON.parse(refusals.stdout) as Array<{ outcome: string; consumer_group: string }>).map(
      (e) => `${e.consumer_group}:${e.outcome}`,
    );
    expect(outcomes).toEqual(['marketing:rate_limited', 'marketing:rate_limited']);
    // Every stdout line is JSON (logs and events alike).
    for (const line of stdout.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });
});
