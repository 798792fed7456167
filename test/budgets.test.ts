// Token budgets end to end: reservation then reconciliation, all limits taken together, and the 429s' retry advice.
import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { checksFor, namedLimitSpecs } from '../policies/rate-limit/index.js';
import { chatRequestSchema } from '../providers/index.js';
import { MemoryStore } from '../src/stores/memory.js';
import { SEED_ENV } from './helpers/configs.js';
import { gatewaysWith, hello, type TestGateway, tokenizer } from './helpers/gateway.js';
import { num, promptOf, TEAM, TEAM_KEY, type TeamOptions, teamConfig } from './helpers/team.js';
import { completion, fakeOpenAI } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const gateway = gatewaysWith(upstream);

let store = new MemoryStore();

async function start(options: TeamOptions): Promise<TestGateway> {
  store = new MemoryStore();
  return gateway(teamConfig(options), { env: SEED_ENV, store });
}

/** Upstream answers with this usage from now on. */
function upstreamUses(prompt_tokens: number, completion_tokens: number): void {
  upstream.answer(() => HttpResponse.json(completion('Hi there!', { prompt_tokens, completion_tokens })));
}

const requestCount = (g: TestGateway) => g.logs.filter((l) => l.msg === 'request').length;

describe('reservation and reconciliation', () => {
  it('holds prompt estimate plus output allowance while a call is in flight, then charges the real usage', async () => {
    const g = await start({
      limits: { requests_per_minute: 100, tokens_per_minute: 10_000 },
      budget: { default_output_tokens: 1000 },
    });
    const slow = hello('gpt-4o-mini', 'slow one');
    let finishSlow: () => void = () => {};
    const slowGate = new Promise<void>((resolve) => {
      finishSlow = resolve;
    });
    upstream.answer(async ({ body }) => {
      const content = (body.messages as Array<{ content: string }>)[0]?.content;
      if (content === 'slow one') await slowGate;
      return HttpResponse.json(
        completion('ok', { prompt_tokens: 10, completion_tokens: content === 'slow one' ? 30 : 140 }),
      );
    });

    const slowCall = g.post(slow, TEAM);
    await expect.poll(() => upstream.received.length).toBe(1);
    const fast = await g.post(hello(), TEAM);
    expect(store.openCount).toBe(1);
    // The slow call still holds its reservation: far from the limit, the prompt's cheap upper bound
    // (its UTF-8 length) + the 1000-token default allowance.
    const bound = tokenizer.promptUpperBound(chatRequestSchema.parse(slow));
    expect(bound).toBeGreaterThanOrEqual(promptOf(slow));
    expect(num(fast, 'X-RateLimit-Remaining-Tokens')).toBe(10_000 - (bound + 1000) - 150);

    finishSlow();
    const slowRes = await slowCall;
    expect(slowRes.status).toBe(200);
    // Reconciled: only the real usage of both calls is left counted.
    expect(num(slowRes, 'X-RateLimit-Remaining-Tokens')).toBe(10_000 - 40 - 150);
    expect(store.openCount).toBe(0);
  });

  it('charges the prompt estimate plus the counted completion text when the upstream reports no usage', async () => {
    const g = await start({ limits: { tokens_per_minute: 10_000, tokens_per_day: 90_000 } });
    const answer = 'Hello! How can I help you with your lighthouse today?';
    upstream.answer(() => HttpResponse.json(completion(answer, null)));
    const body = hello('gpt-4o-mini', 'Say hello');
    const expected = promptOf(body) + tokenizer.count('gpt-4o-mini', answer);

    const res = await g.post(body, TEAM);
    expect(res.status).toBe(200);
    expect(num(res, 'X-RateLimit-Remaining-Tokens')).toBe(10_000 - expected);
    expect(num(res, 'X-RateLimit-Remaining-Tokens-Day')).toBe(90_000 - expected);
    expect(g.logs.find((l) => l.msg === 'request')?.usage).toEqual({
      prompt_tokens: promptOf(body),
      completion_tokens: tokenizer.count('gpt-4o-mini', answer),
      total_tokens: expected,
    });
  });

  it('treats reported usage of 0 as 0, not as missing', async () => {
    const g = await start({ limits: { tokens_per_minute: 10_000 } });
    upstreamUses(0, 0);
    const res = await g.post(hello(), TEAM);
    expect(num(res, 'X-RateLimit-Remaining-Tokens')).toBe(10_000);
  });
});

describe('output cap sent upstream', () => {
  const sent = () => upstream.received.at(-1)!;

  it('sets max_completion_tokens to budget.default_output_tokens when the client gives no max', async () => {
    const g = await start({ budget: { default_output_tokens: 1000 } });
    const raw = '{"model":"gpt-4o-mini",  "messages":[{"role":"user","content":"Hi"}], "temperature":0.5}';
    expect((await g.post(raw, TEAM)).status).toBe(200);
    expect(sent().body.max_completion_tokens).toBe(1000);
    // Spliced in: the client's own bytes follow unchanged.
    expect(sent().text).toBe(`{"max_completion_tokens":1000,${raw.slice(1)}`);
  });

  it('caps the allowance at what remains of tokens_per_minute', async () => {
    const g = await start({
      limits: { tokens_per_minute: 2000 },
      budget: { default_output_tokens: 1000, min_output_tokens: 16 },
    });
    upstreamUses(500, 1000);
    expect((await g.post(hello(), TEAM)).status).toBe(200);
    upstream.reset();
    const body = hello('gpt-4o-mini', 'And again');
    expect((await g.post(body, TEAM)).status).toBe(200);
    expect(sent().body.max_completion_tokens).toBe(2000 - 1500 - promptOf(body));
  });

  it('forwards the body byte for byte when the client max fits the allowance', async () => {
    const g = await start({ budget: { default_output_tokens: 1000 } });
    const raw =
      '{ "messages": [ {"role":"user","content":"Hi"} ],\n  "model": "gpt-4o-mini", "max_tokens": 50, "x_extra": [1, 2.50] }';
    expect((await g.post(raw, TEAM)).status).toBe(200);
    expect(sent().text).toBe(raw);
  });

  it('lowers a client max above the allowance to the allowance, keeping every other field', async () => {
    const g = await start({ limits: { tokens_per_minute: 3000 }, budget: { min_output_tokens: 16 } });
    const body = { ...hello(), max_tokens: 5000, max_completion_tokens: 4000, temperature: 0.2, user: 'u-1' };
    expect((await g.post(body, TEAM)).status).toBe(200);
    const allowance = 3000 - promptOf(body);
    expect(sent().body).toEqual({ ...body, max_tokens: allowance, max_completion_tokens: allowance });
  });

  it('caps the output when the client sends max_completion_tokens: null', async () => {
    const g = await start({ budget: { default_output_tokens: 1000 } });
    expect((await g.post({ ...hello(), max_completion_tokens: null }, TEAM)).status).toBe(200);
    expect(sent().body.max_completion_tokens).toBe(1000);
  });

  it('reserves for every one of n choices and caps each so that together they fit the allowance', async () => {
    const g = await start({
      limits: { tokens_per_minute: 1000 },
      budget: { default_output_tokens: 300, min_output_tokens: 16 },
    });
    const body = { ...hello(), n: 4 };
    const held = new Promise<number>((resolve) => {
      upstream.answer(async () => {
        const [snap] = await g.store.snapshot(
          checksFor('group:team', namedLimitSpecs({ tokens_per_minute: 1000 })),
          g.clock.now(),
        );
        resolve(snap!.used);
        return HttpResponse.json(completion('Hi', { prompt_tokens: 8, completion_tokens: 4 }));
      });
    });
    expect((await g.post(body, TEAM)).status).toBe(200);
    const allowance = 1000 - promptOf(body);
    expect(await held).toBe(1000);
    expect(sent().body.max_completion_tokens).toBe(Math.floor(allowance / 4));
  });

  it('sets both max fields to the cap when a client sends both, whichever the upstream reads', async () => {
    const g = await start({ limits: { tokens_per_minute: 100_000 } });
    const body = { ...hello(), max_tokens: 10, max_completion_tokens: 100_000 };
    expect((await g.post(body, TEAM)).status).toBe(200);
    expect(sent().body).toMatchObject({ max_tokens: 10, max_completion_tokens: 10 });
  });

  it('forwards the body unchanged when budget.cap_upstream_output is false', async () => {
    const g = await start({ limits: { tokens_per_minute: 3000 }, budget: { cap_upstream_output: false } });
    const noMax = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}';
    expect((await g.post(noMax, TEAM)).status).toBe(200);
    expect(sent().text).toBe(noMax);
    const bigMax = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"max_tokens":9000}';
    expect((await g.post(bigMax, TEAM)).status).toBe(200);
    expect(sent().text).toBe(bigMax);
  });
});

describe('all limits taken together', () => {
  const LIMITS = { requests_per_minute: 3, tokens_per_minute: 1000, tokens_per_day: 5000 };
  const budget = { default_output_tokens: 300, min_output_tokens: 100 };

  it('a request refused by tokens_per_minute consumes no request and no day tokens', async () => {
    const g = await start({ limits: LIMITS, budget });
    upstreamUses(400, 500);
    await g.post(hello(), TEAM);
    const refused = await g.post(hello(), TEAM);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { details: unknown } }).error.details).toMatchObject({
      limit: 'tokens_per_minute',
      limit_value: 1000,
    });
    expect(num(refused, 'X-RateLimit-Remaining-Requests')).toBe(2);
    expect(num(refused, 'X-RateLimit-Remaining-Tokens')).toBe(100);
    expect(num(refused, 'X-RateLimit-Remaining-Tokens-Day')).toBe(4100);
  });

  it('a request refused by requests_per_minute consumes no tokens', async () => {
    const g = await start({ limits: LIMITS, budget });
    upstreamUses(10, 40);
    for (let i = 0; i < 3; i++) expect((await g.post(hello(), TEAM)).status).toBe(200);
    const refused = await g.post(hello(), TEAM);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { details: unknown } }).error.details).toMatchObject({
      limit: 'requests_per_minute',
      limit_value: 3,
    });
    expect(num(refused, 'X-RateLimit-Remaining-Tokens')).toBe(1000 - 150);
    expect(num(refused, 'X-RateLimit-Remaining-Tokens-Day')).toBe(5000 - 150);
  });

  it('a request refused by tokens_per_day consumes no request and no minute tokens', async () => {
    const g = await start({ limits: { ...LIMITS, tokens_per_day: 1000 }, budget });
    upstreamUses(400, 500);
    await g.post(hello(), TEAM);
    g.clock.advance(61_000);
    const refused = await g.post(hello(), TEAM);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { details: unknown } }).error.details).toMatchObject({
      limit: 'tokens_per_day',
      limit_value: 1000,
    });
    expect(num(refused, 'X-RateLimit-Remaining-Requests')).toBe(3);
    expect(num(refused, 'X-RateLimit-Remaining-Tokens')).toBe(1000);
    expect(num(refused, 'X-RateLimit-Remaining-Tokens-Day')).toBe(100);
  });
});

describe('retry advice on 429', () => {
  it('rounds Retry-After up to whole seconds and gives the exact wait in retry-after-ms', async () => {
    const g = await start({ limits: { requests_per_minute: 1 } });
    g.clock.advance(500); // 10:30:00.500: counted until a minute later, 10:31:00.500.
    expect((await g.post(hello(), TEAM)).status).toBe(200);
    g.clock.advance(9_750); // 10:30:10.250
    const res = await g.post(hello(), TEAM);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('51');
    expect(res.headers.get('retry-after-ms')).toBe('50250');
    expect(res.headers.get('x-should-retry')).toBeNull();
    expect(((await res.json()) as { error: { details: unknown } }).error.details).toEqual({
      consumer_group: 'team',
      limit: 'requests_per_minute',
      limit_value: 1,
      retry_after_seconds: 51,
    });
    g.clock.advance(50_249);
    expect((await g.post(hello(), TEAM)).status).toBe(429);
    g.clock.advance(1);
    expect((await g.post(hello(), TEAM)).status).toBe(200);
  });

  it('returns 429 with x-should-retry: false and a wait over 60 s when tokens_per_day is spent', async () => {
    const g = await start({
      limits: { tokens_per_minute: 100_000, tokens_per_day: 1000 },
      budget: { min_output_tokens: 100 },
    });
    upstreamUses(400, 600);
    expect((await g.post(hello(), TEAM)).status).toBe(200);
    g.clock.advance(30_000);
    const refused = await g.post(hello(), TEAM);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-should-retry')).toBe('false');
    const waitMs = num(refused, 'retry-after-ms');
    expect(waitMs).toBe(86_400_000 - 30_000);
    expect(num(refused, 'retry-after')).toBe(Math.ceil(waitMs / 1000));
    const { error } = (await refused.json()) as { error: { message: string; details: unknown } };
    const prompt = promptOf(hello());
    expect(error.message).toBe(
      `Rate limit exceeded for consumer group: team. 0 tokens left today; this request needs at least ${prompt + 100} (prompt ${prompt} + minimum output 100); wait until 2026-04-24T10:30:00Z`,
    );
    expect(error.details).toEqual({
      consumer_group: 'team',
      limit: 'tokens_per_day',
      limit_value: 1000,
      retry_after_seconds: Math.ceil(waitMs / 1000),
      remaining: 0,
      needed: prompt + 100,
      prompt_tokens: prompt,
      min_output_tokens: 100,
      max_tokens_that_fit: null,
      retry_at: '2026-04-24T10:30:00Z',
    });

    // The OpenAI SDK honours x-should-retry: false and does not hammer the gateway.
    const before = requestCount(g);
    const sdkError = await g
      .client(TEAM_KEY, { maxRetries: 2 })
      .chat.completions.create(hello())
      .catch((e: unknown) => e);
    expect(sdkError).toHaveProperty('status', 429);
    expect(requestCount(g) - before).toBe(1);

    g.clock.advance(waitMs - 1);
    expect((await g.post(hello(), TEAM)).status).toBe(429);
    g.clock.advance(1);
    expect((await g.post(hello(), TEAM)).status).toBe(200);
  });

  it('says "Request too large" with x-should-retry: false when the prompt alone exceeds tokens_per_minute', async () => {
    const g = await start({ limits: { tokens_per_minute: 50 }, budget: { min_output_tokens: 16 } });
    const body = hello('gpt-4o-mini', 'lorem ipsum dolor sit amet '.repeat(20));
    const needed = promptOf(body) + 16;
    const res = await g.post(body, TEAM);
    expect(res.status).toBe(429);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(res.headers.get('retry-after')).toBeNull();
    expect(await res.json()).toEqual({
      error: {
        message: `Request too large for consumer group: team on tokens_per_minute: limit 50, this request needs at least ${needed} (prompt ${needed - 16} + minimum output 16). The prompt alone is over the limit: shorten it; retrying will not help.`,
        type: 'rate_limit_error',
        param: null,
        code: 'rate_limit_exceeded',
        details: {
          consumer_group: 'team',
          limit: 'tokens_per_minute',
          limit_value: 50,
          retry_after_seconds: null,
          remaining: 50,
          needed,
          prompt_tokens: needed - 16,
          min_output_tokens: 16,
          max_tokens_that_fit: null,
          retry_at: null,
        },
      },
    });
    expect(upstream.received).toHaveLength(0);
    // Nothing was taken: the budget is still whole.
    expect(num(res, 'X-RateLimit-Remaining-Tokens')).toBe(50);

    const before = requestCount(g);
    await g
      .client(TEAM_KEY, { maxRetries: 2 })
      .chat.completions.create(body)
      .catch(() => undefined);
    expect(requestCount(g) - before).toBe(1);
  });
});

describe('rate-limit headers', () => {
  it("reports reset times in seed 003's ISO form and OpenAI's durations, day budget included", async () => {
    const g = await start({ limits: { requests_per_minute: 10, tokens_per_minute: 1000, tokens_per_day: 9000 } });
    const res = await g.post(hello(), TEAM);
    expect(res.headers.get('X-RateLimit-Reset')).toBe('2026-04-23T10:31:00Z');
    expect(res.headers.get('x-ratelimit-reset-requests')).toBe('1m0s');
    expect(res.headers.get('x-ratelimit-reset-tokens')).toBe('1m0s');
    expect(res.headers.get('X-RateLimit-Limit-Tokens-Day')).toBe('9000');
    expect(res.headers.get('X-RateLimit-Remaining-Tokens-Day')).toBe('8850');
    // Day buckets are 24 min, but each remembers its last use: usage at 10:30 leaves at 10:30 tomorrow.
    expect(res.headers.get('x-ratelimit-reset-tokens-day')).toBe('24h0m0s');
  });

  it('sends no X-RateLimit headers when response_headers is false, but keeps Retry-After on 429', async () => {
    const g = await start({ limits: { requests_per_minute: 1 }, response_headers: false });
    const ok = await g.post(hello(), TEAM);
    expect(ok.status).toBe(200);
    const refused = await g.post(hello(), TEAM);
    expect(refused.status).toBe(429);
    for (const res of [ok, refused]) {
      expect([...res.headers.keys()].filter((k) => k.startsWith('x-ratelimit'))).toEqual([]);
      expect(res.headers.get('x-request-id')).toBeTruthy();
    }
    expect(refused.headers.get('retry-after')).toBe('60');
  });
});
