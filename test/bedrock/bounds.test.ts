// Bedrock answers are bounded like any target's, on a real socket: a Converse body's size, one
// event-stream message's declared size, and a stream's silence (bytes) and whole length.
import type { ServerResponse } from 'node:http';
import { APIError } from 'openai';
import { expect, it } from 'vitest';
import { AUTH, boundedGateways, fields, KiB, requestEvent, streamed } from '../helpers/bounds.js';
import { tokenizer } from '../helpers/gateway.js';
import type { Handler } from '../helpers/local-upstream.js';
import { AWS_ENV, bedrockTarget, frame, NOVA } from './fake-bedrock.js';

const ask = { model: NOVA, messages: [{ role: 'user' as const, content: 'Who is Jimi Hendrix?' }] };
const promptTokens = tokenizer.promptTokens(ask);
const streamHead = { 'content-type': 'application/vnd.amazon.eventstream' };
const delta = (text: string) => frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text } });

const { upstream, gateway } = boundedGateways();

/** A Bedrock target whose endpoint is a local upstream running `handler`. */
async function gatewayFor(handler: Handler, bounds: Record<string, number>) {
  const up = await upstream(handler);
  const endpoint = up.baseUrl.replace(/\/v1$/, '');
  return { up, ...(await gateway(bedrockTarget(fields({ endpoint, ...bounds })), AWS_ENV)) };
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, streamHead);
  res.write(frame('messageStart', { role: 'assistant' }));
  for (const piece of ['Jimi', ' Hendrix']) res.write(delta(piece));
}

it('answers 502 upstream_response_too_large when a Converse body passes max_response_bytes, and releases the budget', async () => {
  const { gw, store } = await gatewayFor(
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          output: { message: { role: 'assistant', content: [{ text: 'x'.repeat(256 * KiB) }] } },
          stopReason: 'end_turn',
          usage: { inputTokens: 12, outputTokens: 60_000, totalTokens: 60_012 },
        }),
      );
    },
    { max_response_bytes: 64 * KiB },
  );
  const res = await gw.post(ask, AUTH);
  expect(res.status).toBe(502);
  expect(await res.json()).toEqual({
    error: {
      message: `Upstream bedrock sent a response larger than ${64 * KiB} bytes (the target's max_response_bytes); the gateway stopped reading it`,
      type: 'upstream_error',
      param: null,
      code: 'upstream_response_too_large',
    },
  });
  expect(res.headers.get('x-ratelimit-remaining-tokens')).toBe('100000');
  expect(store.openCount).toBe(0);
});

it('ends the stream with upstream_response_too_large when a message declares more than max_response_bytes', async () => {
  const { up, gw } = await gatewayFor(
    (_req, res) => {
      startStream(res);
      // A prefix announcing 256 MiB: the AWS SDK would allocate all of it before the first byte came.
      // Sent a moment later, so that it is not in the socket read that carries the first messages.
      setTimeout(() => res.write(Buffer.from([0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10])), 100);
    },
    { max_response_bytes: 64 * KiB, timeout_ms: 5_000 },
  );
  const { text, failure } = await streamed(gw, ask);
  expect(text).toBe('Jimi Hendrix');
  expect(failure).toBeInstanceOf(APIError);
  expect((failure as APIError).message).toBe(
    `Upstream bedrock sent a stream event larger than ${64 * KiB} bytes (the target's max_response_bytes); the gateway stopped reading it`,
  );
  expect((await requestEvent(gw)).usage).toMatchObject({
    total_tokens: promptTokens + tokenizer.count(NOVA, text),
  });
  await expect.poll(() => up.closedByPeer()).toBe(1);
});

it('cuts a stream that trickles bytes at stream_max_duration_ms, charging what was streamed', async () => {
  const { up, gw } = await gatewayFor(
    (_req, res) => {
      startStream(res);
      // One byte every 50 ms: never idle for timeout_ms, never a whole message.
      const slow = delta(' played the guitar, and the rest of this sentence never quite arrives');
      let i = 0;
      const timer = setInterval(() => {
        if (res.destroyed || i >= slow.length) clearInterval(timer);
        else res.write(slow.subarray(i, ++i));
      }, 50);
    },
    { timeout_ms: 400, stream_max_duration_ms: 1_500 },
  );
  const { text, failure } = await streamed(gw, ask);
  expect(text).toBe('Jimi Hendrix');
  expect(failure).toBeInstanceOf(APIError);
  expect((failure as APIError).message).toBe(
    "Upstream bedrock was still streaming after 1500 ms (the target's stream_max_duration_ms); the answer ends here",
  );
  const event = await requestEvent(gw);
  expect(event.outcome).toBe('upstream_error');
  expect(event.usage).toMatchObject({ total_tokens: promptTokens + tokenizer.count(NOVA, text) });
  await expect.poll(() => up.closedByPeer()).toBe(1);
});
