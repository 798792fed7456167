// One structured event per chat request: every field, for each outcome, and no secret in any log line.
import { describe, expect, it } from 'vitest';
import {
  ALICE,
  ALICE_KEY,
  ask,
  ENG,
  ENG_KEY,
  inProcessGateway,
  MKT,
  MKT_KEY,
  observabilityConfig,
  UPSTREAM_SECRET,
} from './gateway.js';

const PROMPT_SECRET = 'the launch code is swordfish-7781';

async function settled(gw: ReturnType<typeof inProcessGateway>, count: number) {
  await expect.poll(() => gw.events().length).toBe(count);
  return gw.events();
}

describe('request events', () => {
  it('writes an ok event with group, consumer, model, target, reconciled tokens, remaining budget and latencies', async () => {
    const gw = inProcessGateway();
    const res = await gw.chat(ask('Hello'), ENG);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    const [event] = await settled(gw, 1);
    expect(event).toMatchObject({
      msg: 'request',
      request_id: res.headers.get('x-request-id'),
      consumer_group: 'engineering',
      consumer: null,
      model: 'gpt-4o-mini',
      target: 'local',
      stream: false,
      status: 200,
      outcome: 'ok',
      limit: null,
      usage: {
        prompt_tokens: body.usage.prompt_tokens,
        completion_tokens: body.usage.completion_tokens,
        total_tokens: body.usage.prompt_tokens + body.usage.completion_tokens,
      },
      rate_limit: {
        remaining_requests: 4,
        remaining_tokens: 100_000 - body.usage.prompt_tokens - body.usage.completion_tokens,
      },
    });
    expect(typeof event?.time).toBe('number');
    expect(event?.upstream_latency_ms).toEqual(expect.any(Number));
    expect(event?.gateway_latency_ms).toEqual(expect.any(Number));
  });

  it('writes a stream event once the stream has ended, with the usage it reconciled', async () => {
    const gw = inProcessGateway();
    const res = await gw.chat(ask('Hello', 'gpt-4o-mini', { stream: true }), ENG);
    await res.text();
    const [event] = await settled(gw, 1);
    expect(event).toMatchObject({ stream: true, status: 200, outcome: 'ok', target: 'local' });
    expect(event?.usage).toMatchObject({ total_tokens: expect.any(Number) });
    expect((event?.usage as { total_tokens: number } | undefined)?.total_tokens).toBeGreaterThan(0);
  });

  it('names the limit hit on rate_limited, with nothing charged and no remaining requests', async () => {
    const gw = inProcessGateway();
    for (let i = 0; i < 2; i++) expect((await gw.chat(ask('hi'), MKT)).status).toBe(200);
    const refused = await gw.chat(ask('hi'), MKT);
    expect(refused.status).toBe(429);
    const events = await settled(gw, 3);
    expect(events[2]).toMatchObject({
      consumer_group: 'marketing',
      status: 429,
      outcome: 'rate_limited',
      limit: 'requests_per_minute',
      usage: null,
      target: 'local',
      upstream_latency_ms: null,
      rate_limit: { remaining_requests: 0 },
    });
  });

  it.each([
    [
      'model_not_allowed',
      ask('hi', 'gpt-4o'),
      MKT,
      403,
      { consumer_group: 'marketing', model: 'gpt-4o', target: null },
    ],
    ['model_not_found', ask('hi', 'no-such-model'), {}, 404, { consumer_group: 'default', target: null }],
    ['invalid_request', { model: 'gpt-4o-mini' }, ENG, 400, { consumer_group: 'engineering', model: null }],
    ['upstream_error', ask('hi', 'broken-model'), ENG, 502, { target: 'flaky', usage: null }],
  ] as const)('writes %s with its status', async (outcome, body, headers, status, fields) => {
    const gw = inProcessGateway();
    const res = await gw.chat(body, headers);
    expect(res.status).toBe(status);
    const [event] = await settled(gw, 1);
    expect(event).toMatchObject({ outcome, status, limit: null, ...fields });
  });

  it("names the consumer and its group when the key is a consumer's", async () => {
    const gw = inProcessGateway();
    expect((await gw.chat(ask('hi'), ALICE)).status).toBe(200);
    const [event] = await settled(gw, 1);
    expect(event).toMatchObject({ consumer: 'alice', consumer_group: 'research', outcome: 'ok' });
  });

  it('writes unauthorized with no group when anonymous callers are denied', async () => {
    const gw = inProcessGateway(observabilityConfig(undefined, 'deny'));
    const res = await gw.chat(ask('hi'), { authorization: 'Bearer not-a-known-key-123' });
    expect(res.status).toBe(401);
    const [event] = await settled(gw, 1);
    expect(event).toMatchObject({ outcome: 'unauthorized', status: 401, consumer_group: null, model: null });
  });

  it('writes client_aborted when the client leaves a stream early', async () => {
    const gw = inProcessGateway();
    const res = await gw.chat(ask('a long story please', 'gpt-4o-mini', { stream: true }), ENG);
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    const [event] = await settled(gw, 1);
    expect(event).toMatchObject({ outcome: 'client_aborted', stream: true, consumer_group: 'engineering' });
    expect(event?.usage).not.toBeNull();
  });

  it('writes no event for /v1/models, /v1/usage, /metrics or /healthz', async () => {
    const gw = inProcessGateway();
    for (const path of ['/v1/models', '/v1/usage', '/metrics', '/healthz'])
      expect((await gw.request(path, { headers: ENG })).status).toBe(200);
    expect(gw.events()).toEqual([]);
  });
});

describe('secrets and content in logs', () => {
  const traffic = async (gw: ReturnType<typeof inProcessGateway>) => {
    await gw.chat(ask(PROMPT_SECRET), ENG);
    await (await gw.chat(ask(PROMPT_SECRET, 'gpt-4o-mini', { stream: true }), MKT)).text();
    await gw.chat(ask(PROMPT_SECRET), MKT);
    await gw.chat(ask(PROMPT_SECRET, 'gpt-4o'), MKT);
    await gw.chat(ask(PROMPT_SECRET, 'broken-model'), ENG);
    await gw.chat(`{"model": "gpt-4o-mini", "messages": "${PROMPT_SECRET}"}`, ENG);
    await gw.chat(ask(PROMPT_SECRET), { authorization: 'Bearer kt_unknown_key_0000' });
    await gw.chat(ask(PROMPT_SECRET), ALICE);
    await expect.poll(() => gw.events().length).toBe(8);
  };

  it('never writes a key, the upstream secret, a prompt or a completion by default', async () => {
    const gw = inProcessGateway();
    await traffic(gw);
    expect(gw.lines.length).toBeGreaterThanOrEqual(8);
    for (const line of gw.lines) {
      for (const secret of [ENG_KEY, MKT_KEY, ALICE_KEY, UPSTREAM_SECRET, 'kt_unknown_key_0000', 'swordfish'])
        expect(line).not.toContain(secret);
      expect(line).not.toMatch(/"(prompt|completion|messages)"/);
    }
  });

  it('writes prompts and completions, never keys, with include_content', async () => {
    const gw = inProcessGateway(undefined, { includeContent: true });
    await traffic(gw);
    const [plain, streamed] = gw.events();
    expect(plain?.prompt).toEqual([{ role: 'user', content: PROMPT_SECRET }]);
    expect(plain?.completion).toContain('swordfish-7781');
    expect(streamed?.prompt).toEqual([{ role: 'user', content: PROMPT_SECRET }]);
    expect(streamed?.completion).toContain('swordfish-7781');
    for (const line of gw.lines)
      for (const secret of [ENG_KEY, MKT_KEY, ALICE_KEY, UPSTREAM_SECRET, 'kt_unknown_key_0000'])
        expect(line).not.toContain(secret);
  });
});
