// GET /readyz, and what the store says about Redis's persistence in the log, /healthz and /readyz.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RedisStore } from '../../src/stores/redis/store.js';
import { testClock } from '../helpers/clock.js';
import { SEED_003, SEED_ENV } from '../helpers/configs.js';
import { hello, startGateway, type TestGateway } from '../helpers/gateway.js';
import { fakeOpenAI } from '../helpers/upstream.js';
import { captureLogger } from './logger.js';
import { describeRedis, redisStore, uniquePrefix } from './redis-env.js';
import { eventually, type RedisProcess, redisProcess, redisServerInstalled } from './redis-process.js';

const upstream = fakeOpenAI();
const MARKETING = { 'X-Consumer-Group': 'kt_cg_marketing_def456' };
const NO_PERSISTENCE = expect.stringContaining('Redis persists nothing');

let server: RedisProcess | undefined;
let gateway: TestGateway | undefined;
let store: RedisStore | undefined;
let dir: string | undefined;
beforeAll(() => upstream.listen());
afterAll(() => upstream.close());
afterEach(async () => {
  await gateway?.close();
  await store?.close();
  await server?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
  gateway = store = server = dir = undefined;
  upstream.reset();
});

const get = async (path: string) => {
  const res = await fetch(`${gateway!.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** A gateway on its own redis-server, started with `args`. */
async function gatewayOn(args: readonly string[], config: Record<string, unknown> = {}, started = true) {
  server = await redisProcess({ args, started });
  const clock = testClock();
  const logger = captureLogger();
  store = await redisStore({ url: server.url, prefix: uniquePrefix(), clock, logger, config });
  gateway = await startGateway(SEED_003, { env: SEED_ENV, clock, store });
  return { logger };
}

describe('GET /readyz with the memory store', () => {
  it('is 200 ready with the store it uses', async () => {
    gateway = await startGateway(SEED_003, { env: SEED_ENV });
    expect(await get('/readyz')).toEqual({
      status: 200,
      body: { status: 'ready', store: { store: 'memory', status: 'ok', ready: true } },
    });
  });
});

const describeOwnRedis: (name: string, body: () => void) => void = redisServerInstalled ? describeRedis : describe.skip;

describeOwnRedis('Redis persistence and readiness', () => {
  it('warns in the log, /healthz and /readyz when Redis persists nothing', async () => {
    const { logger } = await gatewayOn([]);
    expect(logger.lines).toContainEqual({ level: 'warn', message: NO_PERSISTENCE });
    const health = await get('/healthz');
    expect(health.body).toMatchObject({
      status: 'ok',
      store: { status: 'ok', persistence: 'none', persistence_warning: NO_PERSISTENCE },
    });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      store: { store: 'redis', status: 'ok', ready: true, persistence: 'none', persistence_warning: NO_PERSISTENCE },
    });
  });

  it('names the persistence of a Redis that snapshots and keeps an append-only file, without a warning', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-redis-'));
    const { logger } = await gatewayOn(['--save', '3600 1', '--appendonly', 'yes', '--dir', dir]);
    expect(store?.health()).toMatchObject({ persistence: 'rdb+aof', persistence_warning: null });
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('says unknown, and starts normally, when Redis refuses CONFIG as managed services do', async () => {
    const { logger } = await gatewayOn(['--rename-command', 'CONFIG', '']);
    expect(store?.health()).toMatchObject({ status: 'ok', persistence: 'unknown', persistence_warning: null });
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
    expect(logger.lines).toContainEqual({ level: 'info', message: expect.stringContaining('make sure it persists') });
    expect((await gateway!.post(hello(), MARKETING)).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
  });

  it('is 503 while Redis is down under fail_closed, and ready once Redis is back', async () => {
    await gatewayOn([], { on_store_error: 'fail_closed' }, false);
    const down = await get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body).toEqual({
      error: {
        message: expect.stringContaining('on_store_error is fail_closed'),
        type: 'server_error',
        param: null,
        code: 'budget_store_unavailable',
        details: { store: expect.objectContaining({ status: 'degraded', ready: false, persistence: null }) },
      },
    });
    expect((await get('/healthz')).status).toBe(200);
    await server!.start();
    await eventually(() => store?.health().status === 'ok');
    expect(await get('/readyz')).toMatchObject({ status: 200, body: { status: 'ready', store: { ready: true } } });
    await eventually(() => store?.health().persistence === 'none');
  });

  it('stays ready while Redis is down under local, which keeps serving', async () => {
    await gatewayOn([], {}, false);
    expect(await get('/readyz')).toMatchObject({
      status: 200,
      body: { status: 'ready', store: { status: 'degraded', ready: true, on_store_error: 'local' } },
    });
  });
});
