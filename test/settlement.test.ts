// Every admitted request settles its reservation exactly once, whatever throws after admission: the
// caller gets a proper error (or its answer), the budget returns to what the outcome costs, and
// nothing stays held in the store.
import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { LimitCheck } from '../policies/rate-limit/index.js';
import { MemoryStore } from '../src/stores/memory.js';
import { SEED_ENV } from './helpers/configs.js';
import { faultyTokenizer, lastEvent, usedBy } from './helpers/faults.js';
import { gatewaysWith, hello } from './helpers/gateway.js';
import { sseAnswer } from './helpers/sse-upstream.js';
import { num, TEAM, teamConfig } from './helpers/team.js';
import { completion, fakeOpenAI, UPSTREAM } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const gateway = gatewaysWith(upstream);
const LIMITS = { requests_per_minute: 5, tokens_per_minute: 10_000, tokens_per_day: 50_000 };

const NOTHING = { requests_per_minute: 0, tokens_per_minute: 0, tokens_per_day: 0 };

async function expectInternalError(res: Response): Promise<void> {
  expect(res.status).toBe(500);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('internal_error');
}

describe('a throw after admission gives the reservation back', () => {
  it('when the exact prompt count near a limit throws during admission: 500, nothing held', async () => {
    const store = new MemoryStore();
    const limits = { requests_per_minute: 5, tokens_per_minute: 300 };
    const g = await gateway(teamConfig({ limits }), {
      env: SEED_ENV,
      store,
      tokenizer: faultyTokenizer('promptTokensAsync'),
    });
    // The default output (4,096) does not fit 300 tokens: the bound's reservation is redone exactly.
    const res = await g.post(hello(), TEAM);
    await expectInternalError(res);
    expect(store.openCount).toBe(0);
    expect(await usedBy(g)).toEqual({ requests_per_minute: 0, tokens_per_minute: 0 });
    expect(upstream.received).toHaveLength(0);
  });

  it('when the target itself throws (a mock target whose tokenizer breaks): 500, nothing held', async () => {
    const store = new MemoryStore();
    const mock = { id: 'mock', provider: 'mock' };
    const g = await gateway(teamConfig({ limits: LIMITS, targets: [mock] }), {
      store,
      tokenizer: faultyTokenizer('truncate'),
    });
    const res = await g.post(hello(), TEAM);
    await expectInternalError(res);
    expect(num(res, 'X-RateLimit-Remaining-Requests')).toBe(5);
    expect(store.openCount).toBe(0);
    expect(await usedBy(g)).toEqual(NOTHING);
  });

  it('when counting a completion that reported no usage throws: 500, nothing charged', async () => {
    const store = new MemoryStore();
    const g = await gateway(teamConfig({ limits: LIMITS }), {
      env: SEED_ENV,
      store,
      tokenizer: faultyTokenizer('countAsync'),
    });
    upstream.answer(() => HttpResponse.json(completion('no usage here', null)));
    const res = await g.post(hello(), TEAM);
    await expectInternalError(res);
    expect(num(res, 'X-RateLimit-Remaining-Tokens')).toBe(10_000);
    expect(store.openCount).toBe(0);
    expect(await usedBy(g)).toEqual(NOTHING);
  });

  it("when counting the upstream's reported quota usage throws: 500, and the answer it withheld costs nothing", async () => {
    class QuotaStoreDown extends MemoryStore {
      override async record(_checks: readonly LimitCheck[], _amounts: readonly number[], _now: number) {
        throw new Error('store unavailable for quotas');
      }
    }
    const store = new QuotaStoreDown();
    const key = { apikey: 'k-ann-0123456789' };
    const g = await gateway(
      `
providers:
  targets:
    - { id: openai, provider: openai, base_url: "${UPSTREAM}" }
consumers:
  - username: ann
    api_key: k-ann-0123456789
    rate_limits:
      requests_per_minute: 5
      tokens_per_minute: 10000
      quotas:
        Videos: { minute: 10 }
`,
      { store },
    );
    upstream.answer(() =>
      HttpResponse.json(completion('here', { prompt_tokens: 5, completion_tokens: 1 }), {
        headers: { 'X-Quota-Usage': 'Videos=2' },
      }),
    );
    const res = await g.post(hello(), key);
    await expectInternalError(res);
    expect(store.openCount).toBe(0);
    expect(await usedBy(g, key)).toMatchObject({ requests_per_minute: 0, tokens_per_minute: 0 });
  });
});

describe('a stream settles once it has ended, whatever throws then', () => {
  const noUsage = () => sseAnswer({ pieces: ['Hello', ' there'], usage: null });

  it('charges a stream what it reserved when counting its text throws, and still writes its event', async () => {
    const store = new MemoryStore();
    const g = await gateway(teamConfig({ limits: LIMITS }), {
      env: SEED_ENV,
      store,
      tokenizer: faultyTokenizer('countAsync'),
    });
    upstream.answer(noUsage);
    const res = await g.post({ ...hello(), stream: true }, TEAM);
    expect(res.status).toBe(200);
    const reserved = 10_000 - num(res, 'X-RateLimit-Remaining-Tokens');
    expect(await res.text()).toContain('data: [DONE]');
    await expect.poll(() => lastEvent(g)).toMatchObject({ outcome: 'ok', stream: true });
    expect(store.openCount).toBe(0);
    expect(await usedBy(g)).toEqual({ requests_per_minute: 1, tokens_per_minute: reserved, tokens_per_day: reserved });
    expect(g.logText()).toContain('counting a stream failed');
  });

  it('gives the reservation back when the store fails to settle at the end of a stream', async () => {
    class SettleDown extends MemoryStore {
      override async settle(): Promise<null> {
        throw new Error('store unavailable at the end of a stream');
      }
    }
    const store = new SettleDown();
    const g = await gateway(teamConfig({ limits: LIMITS }), { env: SEED_ENV, store });
    upstream.answer(() => sseAnswer({ pieces: ['Hello'], usage: { prompt_tokens: 8, completion_tokens: 1 } }));
    const res = await g.post({ ...hello(), stream: true }, TEAM);
    await res.text();
    await expect.poll(() => g.logText()).toContain('settling a stream failed');
    await expect.poll(() => lastEvent(g)).toMatchObject({ stream: true });
    expect(store.openCount).toBe(0);
    expect(await usedBy(g)).toEqual(NOTHING);
  });
});
