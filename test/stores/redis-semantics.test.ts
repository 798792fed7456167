// The Redis store decides exactly as the pure engine does, and its leases free what dead instances held.
import { Redis } from 'ioredis';
import { afterAll, afterEach, expect, it } from 'vitest';
import { checksFor, type LimitCheck, namedLimitSpecs, windowSpecs } from '../../policies/rate-limit/index.js';
import { MemoryStore } from '../../src/stores/memory.js';
import type { RedisStore } from '../../src/stores/redis/store.js';
import type { ReserveResult } from '../../src/stores/types.js';
import { testClock } from '../helpers/clock.js';
import { describeRedis, dropPrefix, REDIS_URL, redisStore, uniquePrefix } from './redis-env.js';

const LEASE = 5_000;
const opened: Array<{ store: RedisStore; prefix: string }> = [];
let redis: Redis | undefined;
afterEach(async () => {
  for (const { store, prefix } of opened.splice(0)) {
    await store.close();
    await dropPrefix(prefix);
  }
});
afterAll(() => redis?.disconnect());

async function open(prefix: string, clock = testClock(), config: Record<string, unknown> = {}) {
  const store = await redisStore({ prefix, clock, config: { lease_ms: LEASE, ...config } });
  opened.push({ store, prefix });
  return store;
}

/** A small deterministic PRNG, so a failing sequence can be replayed. */
function random(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((s / 2_147_483_648) * n);
  };
}

const shape = ({ decision, snapshots }: ReserveResult) => ({
  decision: decision.admitted ? decision : { ...decision, check: decision.check.key },
  snapshots: snapshots.map((s) => [s.check.key, s.used, s.remaining, s.resetAt]),
});

describeRedis('RedisStore semantics', () => {
  it('matches the memory store decision for decision over a long random sequence', async () => {
    const clock = testClock();
    // Leases are not what this compares: long enough that none lapses while the clock jumps.
    const store = await open(uniquePrefix(), clock, { lease_ms: 30 * 86_400_000 });
    const reference = new MemoryStore();
    const owners: LimitCheck[][] = [
      checksFor('a', namedLimitSpecs({ requests_per_minute: 5, tokens_per_minute: 2_000, tokens_per_day: 9_000 })),
      checksFor('b', namedLimitSpecs({ tokens_per_minute: 700 })),
      checksFor('c', namedLimitSpecs({ requests_per_minute: 3 })),
      checksFor('d', [
        ...windowSpecs({ seconds: 10, requests: 4, tokens: 1_500, window_type: 'fixed' }),
        ...windowSpecs({ seconds: 3_600, tokens: 5_000 }),
      ]),
    ];
    const next = random(7);
    const unsettled: string[] = [];
    for (let step = 0; step < 400; step++) {
      const roll = next(10);
      const now = clock.now();
      if (roll < 5) {
        const checks = owners[next(owners.length)] ?? [];
        const demand = { promptTokens: 1 + next(400), desiredOutput: 1 + next(600), minOutput: 1 + next(64) };
        const input = { id: `s${step}`, checks, demand, now };
        const [got, want] = await Promise.all([store.reserve(input), reference.reserve(input)]);
        expect(shape(got), `step ${step}`).toEqual(shape(want));
        if (want.decision.admitted) unsettled.push(input.id);
      } else if (roll < 7 && unsettled.length > 0) {
        const [id] = unsettled.splice(next(unsettled.length), 1);
        const actual = next(900);
        const [got, want] = await Promise.all([
          store.settle(id ?? '', actual, now),
          reference.settle(id ?? '', actual, now),
        ]);
        expect(
          got?.map((s) => [s.used, s.resetAt]),
          `step ${step}`,
        ).toEqual(want?.map((s) => [s.used, s.resetAt]));
      } else if (roll < 8 && unsettled.length > 0) {
        const [id] = unsettled.splice(next(unsettled.length), 1);
        await Promise.all([store.release(id ?? '', now), reference.release(id ?? '', now)]);
      } else {
        clock.advance(next(10) === 0 ? 20 * 60_000 : next(15_000));
      }
    }
    for (const checks of owners) {
      const [got, want] = await Promise.all([
        store.snapshot(checks, clock.now()),
        reference.snapshot(checks, clock.now()),
      ]);
      expect(got).toEqual(want);
    }
  });

  it('gives back what an instance that died mid-request had reserved, once its lease lapses', async () => {
    const prefix = uniquePrefix();
    const clock = testClock();
    const checks = checksFor('team', namedLimitSpecs({ requests_per_minute: 2, tokens_per_minute: 1_000 }));
    const crashed = await open(prefix, clock);
    await crashed.reserve({
      id: 'x',
      checks,
      demand: { promptTokens: 500, desiredOutput: 400, minOutput: 16 },
      now: clock.now(),
    });
    await crashed.close(); // no settle, no release: as if the process had died
    const survivor = await open(prefix, clock);
    expect((await survivor.snapshot(checks, clock.now())).map((s) => s.used)).toEqual([1, 900]);
    clock.advance(LEASE + 1);
    const { decision } = await survivor.reserve({
      id: 'y',
      checks,
      demand: { promptTokens: 100, desiredOutput: 900, minOutput: 16 },
      now: clock.now(),
    });
    expect(decision).toEqual({ admitted: true, outputAllowance: 900, tokens: 1_000 });
  });

  it("keeps a live instance's long request reserved: its heartbeat renews the lease", async () => {
    const prefix = uniquePrefix();
    const clock = testClock();
    const checks = checksFor('team', namedLimitSpecs({ tokens_per_minute: 1_000 }));
    const live = await redisStore({ prefix, clock, config: { lease_ms: LEASE }, tuning: { heartbeatMs: 20 } });
    opened.push({ store: live, prefix });
    const other = await open(prefix, clock);
    await live.reserve({
      id: 'long',
      checks,
      demand: { promptTokens: 100, desiredOutput: 500, minOutput: 16 },
      now: clock.now(),
    });
    clock.advance(LEASE - 100);
    await new Promise((r) => setTimeout(r, 150)); // a few heartbeats
    clock.advance(1_000);
    expect((await other.snapshot(checks, clock.now()))[0]?.used).toBe(600);
    await other.reserve({
      id: 'z',
      checks,
      demand: { promptTokens: 1, desiredOutput: 1, minOutput: 1 },
      now: clock.now(),
    });
    expect(await live.settle('long', 250, clock.now())).not.toBeNull();
    expect((await other.snapshot(checks, clock.now()))[0]?.used).toBe(252);
  });

  it('charges the real usage when a request settles after its lease was swept', async () => {
    const prefix = uniquePrefix();
    const clock = testClock();
    const checks = checksFor('team', namedLimitSpecs({ requests_per_minute: 5, tokens_per_day: 10_000 }));
    const slow = await open(prefix, clock);
    const sweeper = await open(prefix, clock);
    await slow.reserve({
      id: 'late',
      checks,
      demand: { promptTokens: 100, desiredOutput: 400, minOutput: 16 },
      now: clock.now(),
    });
    clock.advance(LEASE + 1);
    await sweeper.reserve({
      id: 'q',
      checks,
      demand: { promptTokens: 10, desiredOutput: 10, minOutput: 1 },
      now: clock.now(),
    });
    expect((await sweeper.snapshot(checks, clock.now())).map((s) => s.used)).toEqual([1, 20]);
    await slow.settle('late', 300, clock.now());
    expect((await sweeper.snapshot(checks, clock.now())).map((s) => s.used)).toEqual([2, 320]);
  });

  it('keeps every key under the hash-tagged prefix, each with a TTL', async () => {
    const prefix = uniquePrefix();
    const store = await open(prefix);
    const checks = checksFor('team', namedLimitSpecs({ requests_per_minute: 5, tokens_per_day: 10_000 }));
    await store.reserve({
      id: 'k',
      checks,
      demand: { promptTokens: 1, desiredOutput: 1, minOutput: 1 },
      now: Date.now(),
    });
    redis ??= new Redis(REDIS_URL);
    const keys = (await redis.keys(`{${prefix}}:*`)).sort();
    expect(keys).toEqual(
      [
        `{${prefix}}:c:team:requests_per_minute`,
        `{${prefix}}:c:team:tokens_per_day`,
        `{${prefix}}:instances`,
        `{${prefix}}:leases`,
        `{${prefix}}:reservations`,
      ].sort(),
    );
    for (const key of keys) expect(await redis.pttl(key), key).toBeGreaterThan(0);
  });
});
