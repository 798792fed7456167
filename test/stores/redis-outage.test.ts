// Redis killed, paused or absent: the gateway keeps serving, limits hold locally, usage is written back.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checksFor, namedLimitSpecs } from '../../policies/rate-limit/index.js';
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
const marketing = checksFor(
  'group:marketing',
  namedLimitSpecs({ requests_per_minute: 20, tokens_per_minute: 50_000, tokens_per_day: 500_000 }),
);
const demand = { promptTokens: 100, desiredOutput: 100, minOutput: 16 };
/** Short enough for fast tests, long enough that a loaded machine does not trip it by accident. */
const FAST = { timeout_ms: 1_000 };

let server: RedisProcess | undefined;
let gateway: TestGateway | undefined;
let store: RedisStore | undefined;
beforeAll(() => upstream.listen());
afterAll(() => upstream.close());
afterEach(async () => {
  await gateway?.close();
  await store?.close();
  await server?.kill();
  gateway = store = server = undefined;
  upstream.reset();
});

/** The OpenAI-shaped error object of a response. */
const errorBody = async (res: Response) => ((await res.json()) as { error: Record<string, unknown> }).error;

const describeOutage: (name: string, body: () => void) => void = redisServerInstalled ? describeRedis : describe.skip;

describeOutage('RedisStore when Redis fails', () => {
  it('keeps serving through a Redis crash, holds the limit locally, and writes back on recovery', async () => {
    server = await redisProcess();
    const clock = testClock();
    const logger = captureLogger();
    store = await redisStore({
      url: server.url,
      prefix: uniquePrefix(),
      clock,
      logger,
      config: { ...FAST, instances: 2 },
    });
    gateway = await startGateway(SEED_003, { env: SEED_ENV, clock, store });
    const send = async (n: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) statuses.push((await gateway!.post(hello(), MARKETING)).status);
      return statuses;
    };
    expect(await send(4)).toEqual([200, 200, 200, 200]);

    await server.kill();
    const started = Date.now();
    const during = await send(14);
    // This instance's share of 20 requests a minute is 10 while it cannot see the others.
    expect(during).toEqual([...Array(10).fill(200), 429, 429, 429, 429]);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(store.health()).toMatchObject({ status: 'degraded', instances: 2, on_store_error: 'local' });
    expect(logger.lines.filter((l) => l.message.startsWith('budget store unreachable'))).toHaveLength(1);
    const health = await (await fetch(`${gateway.url}/healthz`)).json();
    expect(health).toMatchObject({
      status: 'ok',
      store: { store: 'redis', status: 'degraded', down_since: expect.any(String) },
    });
    const refused = await gateway.post(hello(), MARKETING);
    expect((await errorBody(refused)).details).toMatchObject({ limit: 'requests_per_minute', limit_value: 10 });

    await server.start(); // empty: the 4 requests Redis held are gone with it
    await eventually(() => store?.health().status === 'ok');
    expect((await store.snapshot(marketing, clock.now()))[0]?.used).toBe(10);
    expect(logger.lines.filter((l) => l.message === 'budget store reachable again')).toHaveLength(1);
    expect(await send(11)).toEqual([...Array(10).fill(200), 429]);
  });

  it('never makes a request wait for a hung Redis longer than timeout_ms', async () => {
    server = await redisProcess();
    const clock = testClock();
    const failed: string[] = [];
    store = await redisStore({
      url: server.url,
      prefix: uniquePrefix(),
      clock,
      config: { timeout_ms: 200 },
      onError: (operation) => failed.push(operation),
    });
    server.pause();
    const started = Date.now();
    const { decision } = await store.reserve({ id: 'a', checks: marketing, demand, now: clock.now() });
    // A paused Redis never answers: without the timeout this would wait until the test timed out.
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(decision.admitted).toBe(true);
    // The failed call is counted once for the store-errors metric; the outage is then handled locally.
    expect(failed).toEqual(['reserve']);
    const quick = Date.now();
    await store.settle('a', 150, clock.now());
    await store.snapshot(marketing, clock.now());
    expect(Date.now() - quick).toBeLessThan(500);
    // The outage mode starts once a fresh PING has not been answered either: within another timeout_ms.
    await eventually(() => store?.health().status === 'degraded', 1_000);
    server.resume();
    await eventually(() => store?.health().status === 'ok');
  });

  it('settles a reservation in flight when Redis died, and usage recorded meanwhile, once Redis is back', async () => {
    server = await redisProcess();
    const clock = testClock();
    store = await redisStore({ url: server.url, prefix: uniquePrefix(), clock, config: FAST });
    await store.reserve({ id: 'in-flight', checks: marketing, demand, now: clock.now() });
    await server.kill();
    expect(await store.settle('in-flight', 321, clock.now())).toBeNull();
    await store.record(marketing, [0, 79, 79], clock.now());
    await server.start();
    await eventually(() => store?.health().status === 'ok');
    expect((await store.snapshot(marketing, clock.now())).map((s) => s.used)).toEqual([1, 400, 400]);
  });

  it('starts without Redis, enforcing locally, and switches to Redis when it comes up', async () => {
    server = await redisProcess({ started: false });
    const clock = testClock();
    const prefix = uniquePrefix();
    store = await redisStore({ url: server.url, prefix, clock, config: FAST, deploymentInstances: 4 });
    expect(store.health()).toMatchObject({ status: 'degraded', instances: 4 });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store!.reserve({ id: `r${i}`, checks: marketing, demand, now: clock.now() })),
    );
    expect(results.filter((r) => r.decision.admitted)).toHaveLength(5);
    for (let i = 0; i < 6; i++) await store.settle(`r${i}`, 50, clock.now());
    await server.start();
    await eventually(() => store?.health().status === 'ok');
    expect((await store.snapshot(marketing, clock.now())).map((s) => s.used)).toEqual([5, 250, 250]);
  });

  it('answers 503 under fail_closed and admits without limits under fail_open', async () => {
    server = await redisProcess({ started: false });
    const clock = testClock();
    store = await redisStore({
      url: server.url,
      prefix: uniquePrefix(),
      clock,
      config: { on_store_error: 'fail_closed' },
    });
    gateway = await startGateway(SEED_003, { env: SEED_ENV, clock, store });
    const closed = await gateway.post(hello(), MARKETING);
    expect(closed.status).toBe(503);
    expect(closed.headers.get('retry-after')).toBe('1');
    expect(await errorBody(closed)).toMatchObject({ type: 'server_error', code: 'budget_store_unavailable' });
    await gateway.close();
    await store.close();

    store = await redisStore({
      url: server.url,
      prefix: uniquePrefix(),
      clock,
      config: { on_store_error: 'fail_open' },
    });
    gateway = await startGateway(SEED_003, { env: SEED_ENV, clock, store });
    for (let i = 0; i < 25; i++) expect((await gateway.post(hello(), MARKETING)).status).toBe(200);
  });

  it('loads its scripts again when Redis has forgotten them (NOSCRIPT)', async () => {
    server = await redisProcess();
    const clock = testClock();
    store = await redisStore({ url: server.url, prefix: uniquePrefix(), clock });
    await store.reserve({ id: 'a', checks: marketing, demand, now: clock.now() });
    const admin = new Redis(server.url);
    await admin.script('FLUSH');
    admin.disconnect();
    const { decision } = await store.reserve({ id: 'b', checks: marketing, demand, now: clock.now() });
    expect(decision.admitted).toBe(true);
    expect(store.health().status).toBe('ok');
  });
});
