// Two gateway instances on one Redis enforce one budget between them, over real HTTP.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { checksFor, namedLimitSpecs } from '../../policies/rate-limit/index.js';
import type { RedisStore } from '../../src/stores/redis/store.js';
import { testClock } from '../helpers/clock.js';
import { SEED_003, SEED_ENV } from '../helpers/configs.js';
import { hello, startGateway, type TestGateway } from '../helpers/gateway.js';
import { promptOf, TEAM, teamConfig } from '../helpers/team.js';
import { fakeOpenAI, withinCap } from '../helpers/upstream.js';
import { describeRedis, dropPrefix, redisStore, uniquePrefix } from './redis-env.js';

const upstream = fakeOpenAI();
let prefix: string;
let running: Array<{ gateway: TestGateway; store: RedisStore }> = [];
beforeAll(() => upstream.listen());
afterAll(() => upstream.close());
afterEach(async () => {
  for (const { gateway, store } of running) {
    // Exactness is only claimed while Redis answers: a fallback here would be a different test.
    expect(store.health().status).toBe('ok');
    await gateway.close();
    await store.close();
  }
  running = [];
  upstream.reset();
  await dropPrefix(prefix);
});

/** Two gateways sharing one clock and one Redis key prefix, as two instances behind a load balancer. */
async function twoInstances(yaml: string) {
  prefix = uniquePrefix();
  const clock = testClock();
  for (let i = 0; i < 2; i++) {
    const store = await redisStore({ prefix, clock });
    running.push({ gateway: await startGateway(yaml, { env: SEED_ENV, clock, store }), store });
  }
  const [a, b] = running.map((r) => r.gateway);
  if (!a || !b) throw new Error('two gateways');
  return { a, b, clock, store: running[0]!.store };
}

describeRedis('several gateway instances on one Redis', () => {
  it("admits exactly a group's requests_per_minute between them", async () => {
    const { a, b, clock } = await twoInstances(SEED_003);
    const marketing = { 'X-Consumer-Group': 'kt_cg_marketing_def456' };
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).post(hello(), marketing).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    const last = await b.post(hello(), marketing);
    expect(last.status).toBe(429);
    expect(last.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    clock.advance(61_000);
    expect((await a.post(hello(), marketing)).status).toBe(200);
  });

  it('holds a token budget across instances within the reservation bound', async () => {
    const limit = 3_000;
    const spent: number[] = [];
    upstream.answer(withinCap(142, spent, promptOf));
    const yaml = teamConfig({
      limits: { requests_per_minute: 1_000, tokens_per_minute: limit },
      budget: { default_output_tokens: 200, min_output_tokens: 16 },
    });
    const { a, b, clock, store } = await twoInstances(yaml);
    const statuses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).post(hello(), TEAM).then((r) => r.status)),
    );
    const admitted = statuses.filter((s) => s === 200).length;
    const checks = checksFor('group:team', namedLimitSpecs({ requests_per_minute: 1_000, tokens_per_minute: limit }));
    const [requests, tokens] = await store.snapshot(checks, clock.now());
    expect(requests?.used).toBe(admitted);
    expect(spent).toHaveLength(admitted);
    expect(tokens?.used).toBe(spent.reduce((sum, n) => sum + n, 0));
    expect(tokens?.used).toBeLessThanOrEqual(limit);
    expect(admitted).toBeGreaterThanOrEqual(Math.floor(limit / 208) - 1);
  });
});
