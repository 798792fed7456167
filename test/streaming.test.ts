// Streaming chat completions end to end: SSE pass-through, usage on request, exact reconciliation.
import type OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hello, startGateway, type TestGateway, tokenizer } from './helpers/gateway.js';
import { sseAnswer } from './helpers/sse-upstream.js';
import { fakeOpenAI, UPSTREAM } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const KEY = 'tg_team_stream_key_0123456789';
const CONFIG = `
providers:
  targets:
    - id: openai
      provider: openai
      base_url: ${UPSTREAM}
consumer_groups:
  - name: team
    api_key: ${KEY}
    rate_limits:
      requests_per_minute: 100
      tokens_per_minute: 100000
`;
const PIECES = ['Once', ' upon', ' a', ' time', ', there', ' was', ' a', ' gateway', '.'];
const TEXT = PIECES.join('');
const promptTokens = tokenizer.promptTokens({ model: 'gpt-4o-mini', messages: hello().messages });

let gw: TestGateway;
let client: OpenAI;

beforeAll(() => upstream.listen());
afterAll(() => upstream.close());
beforeEach(async () => {
  gw = await startGateway(CONFIG);
  client = gw.client(KEY);
});
afterEach(async () => {
  upstream.reset();
  await gw.close();
});

/** Tokens the team has been charged in the last minute, once the request's event is written. */
async function chargedAfter(events: number): Promise<number> {
  await expect.poll(() => gw.logs.filter((l) => l.msg === 'request').length).toBe(events);
  const [snap] = await gw.store.snapshot(
    (await import('../policies/rate-limit/index.js')).checksFor(
      'group:team',
      (await import('../policies/rate-limit/index.js')).namedLimitSpecs({ tokens_per_minute: 100_000 }),
    ),
    gw.clock.now(),
  );
  return snap!.used;
}

describe('streaming', () => {
  it('passes the stream through chunk by chunk and hides usage the client did not ask for', async () => {
    upstream.answer(() => sseAnswer({ pieces: PIECES, usage: { prompt_tokens: 9, completion_tokens: 11 } }));
    const stream = await client.chat.completions.create({ ...hello(), stream: true });
    let text = '';
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe(TEXT);
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(upstream.received[0]?.body.stream_options).toEqual({ include_usage: true });
    expect(await chargedAfter(1)).toBe(20);
  });

  it('sends the usage chunk when the client asks for it', async () => {
    upstream.answer(() => sseAnswer({ pieces: PIECES, usage: { prompt_tokens: 9, completion_tokens: 11 } }));
    const stream = await client.chat.completions.create({
      ...hello(),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 9, completion_tokens: 11, total_tokens: 20 });
    expect(chunks.at(-1)?.choices).toEqual([]);
  });

  it('assembles the final completion with the SDK stream helper', async () => {
    upstream.answer(() => sseAnswer({ pieces: PIECES, usage: { prompt_tokens: 9, completion_tokens: 11 } }));
    const final = await client.chat.completions.stream(hello()).finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe(TEXT);
  });

  it('sends the rate-limit headers with the response head', async () => {
    upstream.answer(() => sseAnswer({ pieces: PIECES, usage: { prompt_tokens: 9, completion_tokens: 11 } }));
    const { response, data } = await client.chat.completions.create({ ...hello(), stream: true }).withResponse();
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('99');
    for await (const _ of data) void _;
  });

  it('counts completion tokens from the deltas when the upstream reports no usage', async () => {
    upstream.answer(() => sseAnswer({ pieces: PIECES, usage: null }));
    const stream = await client.chat.completions.create({ ...hello(), stream: true });
    for await (const _ of stream) void _;
    expect(await chargedAfter(1)).toBe(promptTokens + tokenizer.count('gpt-4o-mini', TEXT));
  });

  it('ends with an error event when the upstream sends a malformed event', async () => {
    upstream.answer(() => sseAnswer({ pieces: PIECES, usage: null, malformedAfter: 2 }));
    const res = await gw.post({ ...hello(), stream: true }, { authorization: `Bearer ${KEY}` });
    const body = await res.text();
    expect(res.status).toBe(200);
    const last = body.trim().split('\n\n').at(-1)!;
    expect(JSON.parse(last.replace(/^data: /, '')).error.code).toBe('upstream_malformed_response');
    expect(body).not.toContain('[DONE]');
  });

  it('answers a JSON error, not a stream, when the upstream fails before the first byte', async () => {
    const { HttpResponse } = await import('msw');
    upstream.answer(() =>
      HttpResponse.json(
        { error: { message: 'overloaded', type: 'server_error', param: null, code: null } },
        { status: 503 },
      ),
    );
    const res = await gw.post({ ...hello(), stream: true }, { authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('overloaded');
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('100');
  });
});
