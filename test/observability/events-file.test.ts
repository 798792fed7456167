// The events file: JSON lines rotated by size with a bounded number of generations, set up by `tollgate run`.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedactor } from '../../providers/redact.js';
import { eventsConfigSchema } from '../../src/events/config.js';
import { RotatingFile } from '../../src/events/rotating-file.js';
import { ObservabilitySetupError, setUpObservability } from '../../src/events/setup.js';
import { createAdminApp } from '../../src/server/admin.js';
import { createApp } from '../../src/server/app.js';
import { MemoryStore } from '../../src/stores/memory.js';
import { testClock } from '../helpers/clock.js';
import { tokenizer } from '../helpers/gateway.js';
import { ask, ENG, runtimeConfig } from './gateway.js';

const dir = () => mkdtempSync(join(tmpdir(), 'tollgate-events-'));
const line = (i: number) => `${JSON.stringify({ i, pad: 'x'.repeat(80) })}\n`;
const quiet = pino({ level: 'silent' });
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('RotatingFile', () => {
  it('rotates before a line would pass max_bytes, keeps max_files generations and drops the oldest', async () => {
    const path = join(dir(), 'events.jsonl');
    const file = new RotatingFile({ path, maxBytes: 1024, maxFiles: 3, onError: (e) => expect.fail(e.message) });
    for (let i = 0; i < 60; i++) file.write(line(i));
    await file.close();
    expect(existsSync(`${path}.3`)).toBe(false);
    const generations = [`${path}.2`, `${path}.1`, path];
    for (const g of generations) expect(statSync(g).size).toBeLessThanOrEqual(1024);
    const kept = generations.flatMap((g) => readFileSync(g, 'utf8').split('\n').filter(Boolean));
    const numbers = kept.map((l) => (JSON.parse(l) as { i: number }).i);
    expect(numbers.at(-1)).toBe(59);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, k) => 60 - numbers.length + k));
    expect(numbers.length).toBeGreaterThan(20);
  });

  it('appends to an existing file and counts its size toward the limit', async () => {
    const path = join(dir(), 'events.jsonl');
    writeFileSync(path, `${'x'.repeat(1000)}\n`);
    const file = new RotatingFile({ path, maxBytes: 1024, maxFiles: 2, onError: (e) => expect.fail(e.message) });
    file.write(line(1));
    await file.close();
    expect(readFileSync(`${path}.1`, 'utf8')).toHaveLength(1001);
    expect(readFileSync(path, 'utf8')).toBe(line(1));
  });
});

describe('setUpObservability', () => {
  const start = (events: unknown, env: Record<string, string> = {}, configFile = join(dir(), 'policy.yaml')) => {
    const setup = setUpObservability({
      events: events === undefined ? undefined : eventsConfigSchema.parse(events),
      config: runtimeConfig(),
      configFile,
      env,
      logger: quiet,
      redactor: createRedactor([]),
    });
    closers.push(() => setup.close());
    return setup;
  };
  const appWith = (setup: ReturnType<typeof setUpObservability>) => {
    const clock = testClock();
    const app = createApp({
      config: runtimeConfig(),
      store: new MemoryStore(),
      tokenizer,
      now: clock.now,
      logger: quiet,
      observability: setup.observability,
    });
    return (path: string, init?: RequestInit) => app.request(`http://gateway.test${path}`, init);
  };
  const post = (body: unknown, headers: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

  it('writes each event as one JSON line with an ISO time to events.file, relative to the config file', async () => {
    const configDir = dir();
    const setup = start({ file: 'logs/events.jsonl', stdout: false }, {}, join(configDir, 'policy.yaml'));
    expect(setup.eventsFile).toBe(join(configDir, 'logs/events.jsonl'));
    const request = appWith(setup);
    await request('/v1/chat/completions', post(ask('hi'), ENG));
    await setup.close();
    const lines = readFileSync(join(configDir, 'logs/events.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const event = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(event).toMatchObject({ msg: 'request', consumer_group: 'engineering', outcome: 'ok' });
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(setup.summary()[0]).toBe(
      `Events: ${join(configDir, 'logs/events.jsonl')} (rotated at 10485760 bytes, 5 files kept)`,
    );
  });

  it('refuses to start on an events file it cannot open', () => {
    const blocker = join(dir(), 'not-a-dir');
    writeFileSync(blocker, '');
    expect(() => start({ file: join(blocker, 'events.jsonl') })).toThrow(ObservabilitySetupError);
  });

  it('serves the admin API under /admin only when TOLLGATE_ADMIN_TOKEN is set', async () => {
    expect(start(undefined).observability.adminToken).toBeUndefined();
    expect(start(undefined).summary()).toContain('Admin API: off (set TOLLGATE_ADMIN_TOKEN to serve it)');
    const token = 'tga_a-long-enough-admin-token-for-tests';
    const setup = start(undefined, { TOLLGATE_ADMIN_TOKEN: token });
    const res = await appWith(setup)('/admin/usage', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });

  it('refuses a short admin token, a bad admin port, and a port without a token', () => {
    expect(() => start(undefined, { TOLLGATE_ADMIN_TOKEN: 'short' })).toThrow(/shorter than 32/);
    expect(() => start(undefined, { TOLLGATE_ADMIN_TOKEN: 'x'.repeat(32), TOLLGATE_ADMIN_PORT: 'http' })).toThrow(
      /port number/,
    );
    expect(() => start(undefined, { TOLLGATE_ADMIN_PORT: '9100' })).toThrow(/TOLLGATE_ADMIN_TOKEN is not/);
  });

  it('moves the admin API to its own listener with TOLLGATE_ADMIN_PORT', async () => {
    const token = 'tga_a-long-enough-admin-token-for-tests';
    const setup = start(undefined, { TOLLGATE_ADMIN_TOKEN: token, TOLLGATE_ADMIN_PORT: '0' });
    expect(setup.observability.adminToken).toBeUndefined();
    const clock = testClock();
    const deps = { config: runtimeConfig(), store: new MemoryStore(), now: clock.now, logger: quiet };
    await setup.listenAdmin(createAdminApp(deps, setup.adminOwnListener!.token), '127.0.0.1');
    const url = setup
      .summary()
      .find((l) => l.startsWith('Admin API: http'))
      ?.match(/http:\/\/\S+/)?.[0];
    expect(url).toBeDefined();
    expect((await fetch(`${url}/admin/usage`)).status).toBe(401);
    const ok = await fetch(`${url}/admin/usage/marketing`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect((await fetch(`${url}/v1/models`)).status).toBe(404);
  });
});
