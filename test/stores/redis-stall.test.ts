// A blocked event loop, or one slow call, is not a Redis outage: two instances keep one exact budget.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checksFor, namedLimitSpecs } from '../../policies/rate-limit/index.js';
import type { RedisStore } from '../../src/stores/redis/store.js';
import type { BudgetStore } from '../../src/stores/types.js';
import { testClock } from '../helpers/clock.js';
import { SEED_003, SEED_ENV } from '../helpers/configs.js';
import { hello, startGateway, type TestGateway } from '../helpers/gateway.js';
import { promptOf, TEAM, teamConfig } from '../helpers/team.js';
import { fakeOpenAI, withinCap } from '../helpers/upstream.js';
import { captureLogger } from './logger.js';
import { describeRedis, dropPrefix, redisStore, uniquePrefix } from './redis-env.js';
import { eventually, type RedisProcess, redisProcess, redisServerInstalled } from './redis-process.js';

/** The default command timeout, and a stall longer than it (the lazy tiktoken load took 353 ms). */
const TIMEOUT_MS = 250;
const STALL_MS = 400;

const upstream = fakeOpenAI();
let prefix: string;
let running: Array<{ gateway: TestGateway; store: RedisStore }> = [];
let server: RedisProcess | undefined;
let own: RedisStore | undefined;
beforeAll(() => upstream.listen());
afterAll(() => upstream.close());
afterEach(async () => {
  for (const { gateway, store } of running) {
    await gateway.close();
    await store.close();
  }
  running = [];
  upstream.reset();
  await own?.close();
  await server?.kill();
  own = server = undefined;
  if (prefix) await dropPrefix(prefix);
});

/** Holds the event loop for `ms`, as a synchronous step on the request path would. */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: nothing else in this process runs, timers and sockets included
  }
}

/** The store, with the loop blocked right after the reservations numbered in `stalls` were sent to Redis. */
function stallingAfterSend(store: RedisStore, stalls: ReadonlySet<number>): BudgetStore {
  let sent = 0;
  return {
    reserve(input) {
      const pending = store.reserve(input);
      if (stalls.has(++sent)) block(STALL_MS);
      return pending;
    },
    settle: (id, tokens, now) => store.settle(id, tokens, now),
    release: (id, now) => store.release(id, now),
    snapshot: (checks, now) => store.snapshot(checks, now),
    record: (checks, amounts, now) => store.record(checks, amounts, now),
    health: () => store.health(),
    close: () => store.close(),
  };
}

/** Two instances on one Redis with the default 250 ms timeout; the first one stalls after some sends. */
async function twoInstances(yaml: string, stalls: ReadonlySet<number>) {
  prefix = uniquePrefix();
  const clock = testClock();
  const logger = captureLogger();
  for (let i = 0; i < 2; i++) {
    const store = await redisStore({ prefix, clock, logger, config: { timeout_ms: TIMEOUT_MS } });
    const budget = i === 0 ? stallingAfterSend(store, stalls) : store;
    running.push({ gateway: await startGateway(yaml, { env: SEED_ENV, clock, store: budget }), store });
  }
  const [a, b] = running.map((r) => r.gateway);
  if (!a || !b) throw new Error('two gateways');
  return { a, b, clock, logger, stores: running.map((r) => r.store) };
}

describeRedis('a stalled event loop with Redis answering', () => {
  it('admits exactly requests_per_minute across two instances while one stalls 400 ms (timeout 250 ms)', async () => {
    const { a, b, clock, logger, stores } = await twoInstances(SEED_003, new Set([2, 6, 11]));
    const marketing = { 'X-Consumer-Group': 'kt_cg_marketing_def456' };
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? b : a).post(hello(), marketing).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    for (const store of stores) expect(store.health()).toMatchObject({ status: 'ok', error: null });
    expect(logger.lines.filter((l) => l.message.startsWith('budget store unreachable'))).toEqual([]);
    const checks = checksFor('group:marketing', namedLimitSpecs({ requests_per_minute: 20 }));
    expect((await stores[0]!.snapshot(checks, clock.now()))[0]?.used).toBe(20);
  });

  it('never lets tokens exceed the limit across two instances while one stalls', async () => {
    const limit = 3_000;
    const spent: number[] = [];
    upstream.answer(withinCap(142, spent, promptOf));
    const yaml = teamConfig({
      limits: { requests_per_minute: 1_000, tokens_per_minute: limit },
      budget: { default_output_tokens: 200, min_output_tokens: 16 },
    });
    const { a, b, clock, logger, stores } = await twoInstances(yaml, new Set([1, 4, 9]));
    const statuses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? b : a).post(hello(), TEAM).then((r) => r.status)),
    );
    const admitted = statuses.filter((s) => s === 200).length;
    const checks = checksFor('group:team', namedLimitSpecs({ requests_per_minute: 1_000, tokens_per_minute: limit }));
    const [requests, tokens] = await stores[0]!.snapshot(checks, clock.now());
    expect(requests?.used).toBe(admitted);
    expect(spent).toHaveLength(admitted);
    expect(tokens?.used).toBe(spent.reduce((sum, n) => sum + n, 0));
    expect(tokens?.used).toBeLessThanOrEqual(limit);
    expect(admitted).toBeGreaterThanOrEqual(Math.floor(limit / 208) - 1);
    for (const store of stores) expect(store.health().status).toBe('ok');
    expect(logger.lines.filter((l) => l.message.startsWith('budget store unreachable'))).toEqual([]);
  });
});

const describeOwnRedis: (name: string, body: () => void) => void = redisServerInstalled ? describeRedis : describe.skip;

describeOwnRedis('a Redis call that times out while Redis answers', () => {
  it('falls back for that call only, stays on Redis, and gives back the reservation that landed late', async () => {
    server = await redisProcess();
    const clock = testClock();
    const logger = captureLogger();
    own = await redisStore({ url: server.url, prefix: uniquePrefix(), clock, logger, config: { timeout_ms: 300 } });
    const checks = checksFor(
      'group:marketing',
      namedLimitSpecs({ requests_per_minute: 20, tokens_per_minute: 50_000, tokens_per_day: 500_000 }),
    );
    const demand = { promptTokens: 100, desiredOutput: 100, minOutput: 16 };
    const admin = new Redis(server.url);
    try {
      // Redis holds every command for 450 ms: the call times out at 300, the PING after it is answered.
      await admin.client('PAUSE', 450);
      const late = await own.reserve({ id: 'late', checks, demand, now: clock.now() });
      expect(late.decision.admitted).toBe(true);
      await eventually(() => logger.lines.some((l) => l.message.includes('not an outage')));
      expect(own.health()).toMatchObject({ status: 'ok', error: null });
    } finally {
      admin.disconnect();
    }
    await own.settle('late', 150, clock.now());
    await eventually(() => own?.health().pending_write_back === 0);
    // Its real usage, written back; the 200 tokens Redis reserved when the call landed late, given back.
    expect((await own.snapshot(checks, clock.now())).map((s) => s.used)).toEqual([1, 150, 150]);
    const next = await own.reserve({ id: 'next', checks, demand, now: clock.now() });
    expect(next.snapshots.map((s) => s.used)).toEqual([2, 350, 350]);
    expect(own.health().status).toBe('ok');
    expect(logger.lines.filter((l) => l.message.startsWith('budget store unreachable'))).toEqual([]);
  });
});
