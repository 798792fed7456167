// The Kong model through real HTTP: seed 001's consumers and route, precedence, buckets, window types.
import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { gatewaysWith, type TestGateway, tokenizer } from './helpers/gateway.js';
import { completion, fakeOpenAI, UPSTREAM } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const start = gatewaysWith(upstream);

/** An upstream that, like Bedrock, writes 570 tokens unless capped, after a 5-token prompt. */
function hendrixUpstream(): void {
  upstream.answer(({ body }) => {
    const cap = typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : 570;
    return HttpResponse.json(
      completion('Jimi Hendrix was an American rock guitarist…', {
        prompt_tokens: 5,
        completion_tokens: Math.min(570, cap),
      }),
    );
  });
}

describe('seed 001: per-consumer AI token limits on a Bedrock route', () => {
  const SEED_001 = `
providers:
  targets:
    - id: bedrock            # an OpenAI-compatible stand-in for Bedrock
      provider: openai
      base_url: ${UPSTREAM}
routes:
  - path: /bedrock-route
    target: bedrock
consumers:
  - username: user1
    api_key: "123456"
    rate_limits:
      windows:
        - seconds: 60
          tokens: 500
          provider: bedrock
  - username: user2
    api_key: "987654"
    rate_limits:
      windows:
        - seconds: 60
          tokens: 10000
          provider: bedrock
`;
  const body = { messages: [{ role: 'user', content: 'Who is Jimi Hendrix?' }], model: 'us.amazon.nova-lite-v1:0' };
  const prompt = tokenizer.promptTokens({
    model: body.model,
    messages: [{ role: 'user', content: 'Who is Jimi Hendrix?' }],
  });

  it("answers with Kong's headers, throttles user1 at 500 tokens a minute, and leaves user2 alone", async () => {
    hendrixUpstream();
    const g = await start(SEED_001);
    const first = await g.post(body, { apikey: '123456' }, '/bedrock-route');
    expect(first.status).toBe(200);
    expect(first.headers.get('X-AI-RateLimit-Limit-minute-bedrock')).toBe('500');
    // The answer was capped at what the budget had left: 5 real prompt tokens + (500 - estimated prompt).
    const spent = 5 + (500 - prompt);
    expect(first.headers.get('X-AI-RateLimit-Remaining-minute-bedrock')).toBe(String(500 - spent));
    expect(upstream.received[0]?.body.max_completion_tokens).toBe(500 - prompt);
    expect(first.headers.get('X-Tollgate-LLM-Model')).toBe('bedrock/us.amazon.nova-lite-v1:0');
    expect(Number(first.headers.get('X-Tollgate-Upstream-Latency'))).toBeGreaterThanOrEqual(0);
    expect(Number(first.headers.get('X-Tollgate-Proxy-Latency'))).toBeGreaterThanOrEqual(0);

    g.clock.advance(52_000);
    const refused = await g.post(body, { apikey: '123456' }, '/bedrock-route');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /^AI token rate limit exceeded for provider\(s\): bedrock\. \d+ tokens left this minute for bedrock; /,
    );
    for (const name of [
      'X-AI-RateLimit-Reset',
      'X-AI-RateLimit-Retry-After',
      'X-AI-RateLimit-Retry-After-minute-bedrock',
      'X-AI-RateLimit-Reset-minute-bedrock',
    ]) {
      expect(refused.headers.get(name), name).toBe('8');
    }
    expect(refused.headers.get('X-AI-RateLimit-Limit-minute-bedrock')).toBe('500');

    const other = await g.post(body, { apikey: '987654' }, '/bedrock-route');
    expect(other.status).toBe(200);
    expect(other.headers.get('X-AI-RateLimit-Limit-minute-bedrock')).toBe('10000');

    g.clock.advance(8_000);
    expect((await g.post(body, { apikey: '123456' }, '/bedrock-route')).status).toBe(200);
  });

  it('writes the Kong header names in their casing', async () => {
    hendrixUpstream();
    const g = await start(SEED_001);
    const { request } = await import('node:http');
    const raw = await new Promise<string[]>((resolve, reject) => {
      const req = request(
        `${g.url}/bedrock-route`,
        { method: 'POST', headers: { apikey: '987654', 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.rawHeaders);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
    expect(raw).toContain('X-AI-RateLimit-Limit-minute-bedrock');
    expect(raw).toContain('X-Tollgate-LLM-Model');
  });

  it('counts a provider window only for calls to that provider target', async () => {
    const g = await start(
      SEED_001.replace(
        'routes:',
        `    - id: openai\n      provider: openai\n      base_url: ${UPSTREAM}\n      models: [gpt-4o-mini]\nroutes:`,
      ),
    );
    const res = await g.post({ ...body, model: 'gpt-4o-mini' }, { apikey: '123456' });
    expect(res.status).toBe(200);
    expect(res.headers.get('X-AI-RateLimit-Limit-minute-bedrock')).toBeNull();
  });
});

describe('consumers and groups', () => {
  const CONFIG = `
providers:
  targets:
    - id: openai
      provider: openai
      base_url: ${UPSTREAM}
consumer_groups:
  - name: gold
    rate_limits: { requests_per_minute: 3, tokens_per_day: 900000 }
    allowed_models: [gpt-4o]
  - name: silver
    shared: true
    rate_limits: { requests_per_minute: 2, tokens_per_minute: 50000 }
    allowed_models: [gpt-4o-mini]
consumers:
  - { username: own, api_key: k-own-0123456789, groups: [gold, silver], rate_limits: { requests_per_minute: 7 } }
  - { username: gold-first, api_key: k-gold-0123456789, groups: [gold, silver] }
  - { username: silver-first, api_key: k-silver-0123456789, groups: [silver, gold] }
  - { username: silver-two, api_key: k-silver2-0123456789, groups: [silver] }
  - { username: gold-two, api_key: k-gold2-0123456789, groups: [gold] }
  - { username: loner, api_key: k-loner-0123456789 }
rate_limit_defaults: { requests_per_minute: 1, tokens_per_minute: 100000, tokens_per_day: 1000000 }
`;
  const ask = (g: TestGateway, key: string, model = 'gpt-4o') =>
    g.post({ model, messages: [{ role: 'user', content: 'hi' }] }, { authorization: `Bearer ${key}` });

  it('takes each setting from the consumer, else its first group that sets it, else the defaults', async () => {
    const g = await start(CONFIG);
    const own = await ask(g, 'k-own-0123456789');
    expect(own.headers.get('X-RateLimit-Limit-Requests')).toBe('7');
    expect(own.headers.get('X-RateLimit-Limit-Tokens')).toBe('50000');
    expect(own.headers.get('X-RateLimit-Limit-Tokens-Day')).toBe('900000');
    const silverFirst = await ask(g, 'k-silver-0123456789', 'gpt-4o-mini');
    expect(silverFirst.headers.get('X-RateLimit-Limit-Requests')).toBe('2');
    expect(silverFirst.headers.get('X-RateLimit-Limit-Tokens-Day')).toBe('900000');
    const loner = await ask(g, 'k-loner-0123456789');
    expect(loner.headers.get('X-RateLimit-Limit-Requests')).toBe('1');
  });

  it("allows the models of the first group that lists any (Kong: the first group's settings apply)", async () => {
    const g = await start(CONFIG);
    expect((await ask(g, 'k-gold-0123456789', 'gpt-4o')).status).toBe(200);
    expect((await ask(g, 'k-gold-0123456789', 'gpt-4o-mini')).status).toBe(403);
    expect((await ask(g, 'k-silver-0123456789', 'gpt-4o-mini')).status).toBe(200);
    expect((await ask(g, 'k-silver-0123456789', 'gpt-4o')).status).toBe(403);
  });

  it('counts each consumer of a group on its own, unless the group is shared', async () => {
    const g = await start(CONFIG);
    for (let i = 0; i < 3; i++) expect((await ask(g, 'k-gold-0123456789')).status).toBe(200);
    expect((await ask(g, 'k-gold-0123456789')).status).toBe(429);
    expect((await ask(g, 'k-gold2-0123456789')).status).toBe(200);

    expect((await ask(g, 'k-silver-0123456789', 'gpt-4o-mini')).status).toBe(200);
    expect((await ask(g, 'k-silver2-0123456789', 'gpt-4o-mini')).status).toBe(200);
    const third = await ask(g, 'k-silver-0123456789', 'gpt-4o-mini');
    expect(third.status).toBe(429);
    expect(
      ((await third.json()) as { error: { details: { consumer_group: string } } }).error.details.consumer_group,
    ).toBe('silver');
  });

  it('names the consumer and its group in the event', async () => {
    const g = await start(CONFIG);
    await ask(g, 'k-silver-0123456789', 'gpt-4o-mini');
    expect(g.logs.find((l) => l.msg === 'request')).toMatchObject({
      consumer: 'silver-first',
      consumer_group: 'silver',
    });
  });
});

describe('fixed and sliding windows at their edges', () => {
  const config = (type: string) => `
providers:
  targets:
    - { id: openai, provider: openai, base_url: "${UPSTREAM}" }
consumer_groups:
  - name: team
    api_key: k-team-0123456789
    rate_limits:
      windows: [{ seconds: 60, requests: 2, window_type: ${type} }]
`;
  const ask = (g: TestGateway) =>
    g.post({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { apikey: 'k-team-0123456789' });

  it('frees a fixed window at its boundary, whenever the requests came', async () => {
    const g = await start(config('fixed'));
    g.clock.set(Date.UTC(2026, 3, 23, 10, 30, 50));
    expect((await ask(g)).status).toBe(200);
    expect((await ask(g)).status).toBe(200);
    const refused = await ask(g);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(refused.headers.get('X-RateLimit-Retry-After-Minute')).toBe('10');
    g.clock.set(Date.UTC(2026, 3, 23, 10, 30, 59, 999));
    expect((await ask(g)).status).toBe(429);
    g.clock.set(Date.UTC(2026, 3, 23, 10, 31, 0));
    const next = await ask(g);
    expect(next.status).toBe(200);
    expect(next.headers.get('X-RateLimit-Limit-Minute')).toBe('2');
    expect(next.headers.get('X-RateLimit-Remaining-Minute')).toBe('1');
  });

  it('frees a sliding window a full window after the requests', async () => {
    const g = await start(config('sliding'));
    g.clock.set(Date.UTC(2026, 3, 23, 10, 30, 50));
    expect((await ask(g)).status).toBe(200);
    expect((await ask(g)).status).toBe(200);
    g.clock.set(Date.UTC(2026, 3, 23, 10, 31, 0));
    const refused = await ask(g);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('50');
    g.clock.set(Date.UTC(2026, 3, 23, 10, 31, 49, 999));
    expect((await ask(g)).status).toBe(429);
    g.clock.set(Date.UTC(2026, 3, 23, 10, 31, 50));
    expect((await ask(g)).status).toBe(200);
  });
});
