// Seed 003's tutorial, steps 3 to 8, through a real listening gateway with its exact config.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_003, SEED_ENV } from './helpers/configs.js';
import { hello, startGateway, type TestGateway } from './helpers/gateway.js';
import { fakeOpenAI } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const ENGINEERING = { 'X-Consumer-Group': 'kt_cg_engineering_abc123' };
const MARKETING = { 'X-Consumer-Group': 'kt_cg_marketing_def456' };
let gw: TestGateway;

beforeAll(() => upstream.listen());
afterAll(() => upstream.close());
beforeEach(async () => {
  gw = await startGateway(SEED_003, { env: SEED_ENV });
});
afterEach(async () => {
  upstream.reset();
  await gw.close();
});

describe('seed 003: rate limits per team', () => {
  it('step 3: answers with X-RateLimit headers reflecting the real usage', async () => {
    const res = await gw.post(hello(), ENGINEERING);
    expect(res.status).toBe(200);
    expect(res.headers.get('X-RateLimit-Limit-Requests')).toBe('60');
    expect(res.headers.get('X-RateLimit-Remaining-Requests')).toBe('59');
    expect(res.headers.get('X-RateLimit-Limit-Tokens')).toBe('100000');
    expect(res.headers.get('X-RateLimit-Remaining-Tokens')).toBe('99850');
    expect(res.headers.get('X-RateLimit-Reset')).toBe('2026-04-23T10:31:00Z');
    expect(res.headers.get('x-ratelimit-reset-requests')).toBe('1m0s');
    expect(res.headers.get('X-RateLimit-Limit-Tokens-Day')).toBe('2000000');
    expect(res.headers.get('X-RateLimit-Remaining-Tokens-Day')).toBe('1999850');
  });

  it('step 3: writes the headers in the casing the tutorial greps for', async () => {
    const { request } = await import('node:http');
    const raw = await new Promise<string[]>((resolve, reject) => {
      const req = request(
        `${gw.url}/v1/chat/completions`,
        { method: 'POST', headers: { 'content-type': 'application/json', ...ENGINEERING } },
        (res) => {
          res.resume();
          resolve(res.rawHeaders);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(hello()));
    });
    expect(raw).toContain('X-RateLimit-Limit-Requests');
    expect(raw).toContain('X-RateLimit-Remaining-Tokens');
    expect(raw).toContain('X-RateLimit-Reset');
  });

  it('step 4: the 21st request in a minute is 429 with the seed body and Retry-After', async () => {
    for (let i = 1; i <= 20; i++) {
      const res = await gw.post({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }] }, MARKETING);
      expect(res.status, `request ${i}`).toBe(200);
    }
    gw.clock.advance(15_000);
    const res = await gw.post({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }] }, MARKETING);
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({
      error: {
        message: 'Rate limit exceeded for consumer group: marketing',
        type: 'rate_limit_error',
        param: null,
        code: 'rate_limit_exceeded',
        details: {
          consumer_group: 'marketing',
          limit: 'requests_per_minute',
          limit_value: 20,
          retry_after_seconds: 45,
        },
      },
    });
    expect(res.headers.get('retry-after')).toBe('45');
    expect(res.headers.get('retry-after-ms')).toBe('45000');
    expect(res.headers.get('x-should-retry')).toBeNull();
    expect(res.headers.get('X-RateLimit-Remaining-Requests')).toBe('0');
    expect(upstream.received).toHaveLength(20);
  });

  it('step 4: lets the SDK retry a spent minute budget (no x-should-retry): the wait is at most the minute', async () => {
    for (let i = 0; i < 20; i++) await gw.post(hello(), MARKETING);
    const res = await gw.post(hello(), MARKETING);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect(res.headers.get('x-should-retry')).toBeNull();
  });

  it('step 4: the budget comes back when the minute has passed', async () => {
    for (let i = 0; i < 20; i++) await gw.post(hello(), MARKETING);
    expect((await gw.post(hello(), MARKETING)).status).toBe(429);
    gw.clock.advance(61_000);
    expect((await gw.post(hello(), MARKETING)).status).toBe(200);
  });

  it('step 5: a throttled group does not affect another', async () => {
    for (let i = 0; i < 20; i++) await gw.post(hello(), MARKETING);
    expect((await gw.post(hello(), ENGINEERING)).status).toBe(200);
    expect((await gw.post(hello(), MARKETING)).status).toBe(429);
  });

  it('step 6: a model outside allowed_models is 403 even while throttled, and costs nothing', async () => {
    for (let i = 0; i < 20; i++) await gw.post(hello(), MARKETING);
    const res = await gw.post(hello('gpt-4o'), MARKETING);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: {
        message: 'Model gpt-4o is not allowed for consumer group: marketing',
        type: 'access_denied',
        param: null,
        code: 'model_not_allowed',
      },
    });
    const fresh = await startGateway(SEED_003, { env: SEED_ENV });
    try {
      const denied = await fresh.post(hello('gpt-4o'), MARKETING);
      expect(denied.headers.get('X-RateLimit-Remaining-Requests')).toBe('20');
      expect(denied.headers.get('X-RateLimit-Remaining-Tokens')).toBe('50000');
    } finally {
      await fresh.close();
    }
  });

  it('step 7: each request leaves an event with group, tokens used and requests remaining', async () => {
    await gw.post(hello(), ENGINEERING);
    await gw.post(hello(), MARKETING);
    const events = gw.logs.filter((l) => l.msg === 'request');
    expect(
      events.map((e) => [
        e.consumer_group,
        (e.usage as { total_tokens: number }).total_tokens,
        (e.rate_limit as { remaining_requests: number }).remaining_requests,
      ]),
    ).toEqual([
      ['engineering', 150, 59],
      ['marketing', 150, 19],
    ]);
  });

  it('step 8: a request without a known key gets the default limits', async () => {
    const res = await gw.post(hello());
    expect(res.status).toBe(200);
    expect(res.headers.get('X-RateLimit-Limit-Requests')).toBe('10');
    const unknown = await gw.post(hello(), { 'X-Consumer-Group': 'kt_cg_nobody' });
    expect(unknown.headers.get('X-RateLimit-Limit-Requests')).toBe('10');
    expect(unknown.headers.get('X-RateLimit-Remaining-Requests')).toBe('8');
  });

  it('works unchanged from the OpenAI SDK with only baseURL and apiKey set', async () => {
    const client = gw.client('kt_cg_engineering_abc123');
    const { data, response } = await client.chat.completions.create(hello()).withResponse();
    expect(data.choices[0]?.message.content).toBe('Hi there!');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('59');
    const denied = await client.chat.completions.create(hello('gpt-5')).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf((await import('openai')).PermissionDeniedError);
  });
});
