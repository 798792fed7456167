// A streamed upstream answer is bounded, against a real upstream socket: one event's size, the stream's
// silence (bytes, not events, and only while the gateway waits) and its whole length; each ends with a
// clear final error event, and what was streamed is charged.
import { request } from 'node:http';
import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import {
  AUTH,
  boundedGateways,
  drained,
  flood,
  KiB,
  openaiTarget,
  requestEvent,
  streamed,
  trickle,
} from './helpers/bounds.js';
import { hello, tokenizer } from './helpers/gateway.js';
import { sseHead, sseWrite } from './helpers/local-upstream.js';
import { chunk } from './helpers/sse-upstream.js';

const { upstream, gateway } = boundedGateways();
const promptTokens = tokenizer.promptTokens({ model: 'gpt-4o-mini', messages: hello().messages });
const role = chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
const piece = (content: string) => chunk([{ index: 0, delta: { content }, finish_reason: null }]);

describe('a streamed answer', () => {
  it('with one event larger than max_response_bytes ends with an error event, charging what was streamed', async () => {
    const up = await upstream(async (_req, res) => {
      sseHead(res);
      sseWrite(res, role);
      for (const p of ['Once', ' upon']) sseWrite(res, piece(p));
      res.write('data: {"pad":"');
      await flood(res, 'x'.repeat(16 * KiB)); // megabytes and no newline
    });
    const { gw } = await gateway(openaiTarget(up.baseUrl, { max_response_bytes: 64 * KiB, timeout_ms: 5_000 }));
    const { text, failure } = await streamed(gw);
    expect(text).toBe('Once upon');
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toBe(
      `Upstream openai sent a stream event larger than ${64 * KiB} bytes (the target's max_response_bytes); the gateway stopped reading it`,
    );
    const event = await requestEvent(gw);
    expect(event.outcome).toBe('upstream_error');
    expect(event.usage).toMatchObject({ total_tokens: promptTokens + tokenizer.count('gpt-4o-mini', text) });
    await expect.poll(() => up.closedByPeer()).toBe(1);
  });

  it('is not idle while keep-alive comments arrive, however long the model thinks', async () => {
    const up = await upstream(async (_req, res) => {
      sseHead(res);
      sseWrite(res, role);
      // Twice timeout_ms of thinking, with a keep-alive every eighth of it.
      for (let i = 0; i < 16; i++) {
        res.write(': keep-alive\n\n');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      sseWrite(res, piece('Thought it through.'));
      sseWrite(res, chunk([], { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 }));
      res.end('data: [DONE]\n\n');
    });
    const { gw } = await gateway(openaiTarget(up.baseUrl, { timeout_ms: 400 }));
    const { text, failure } = await streamed(gw);
    expect(failure).toBeUndefined();
    expect(text).toBe('Thought it through.');
    expect((await requestEvent(gw)).usage).toMatchObject({ total_tokens: 14 });
  });

  it('that trickles bytes is cut at stream_max_duration_ms with a final error event, charging what was streamed', async () => {
    const up = await upstream((_req, res) => {
      sseHead(res);
      sseWrite(res, role);
      for (const p of ['Once', ' upon', ' a']) sseWrite(res, piece(p));
      // Bytes often enough never to be idle, never making an event: a connection held forever.
      res.write(':');
      trickle(res, '.', 50);
    });
    const { gw } = await gateway(openaiTarget(up.baseUrl, { timeout_ms: 400, stream_max_duration_ms: 1_500 }));
    const { text, failure } = await streamed(gw);
    expect(text).toBe('Once upon a');
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toBe(
      "Upstream openai was still streaming after 1500 ms (the target's stream_max_duration_ms); the answer ends here",
    );
    const event = await requestEvent(gw);
    expect(event.outcome).toBe('upstream_error');
    expect(event.usage).toMatchObject({ total_tokens: promptTokens + tokenizer.count('gpt-4o-mini', text) });
    await expect.poll(() => up.closedByPeer()).toBe(1);
  });

  it('still times out when the upstream sends no byte for timeout_ms', async () => {
    const up = await upstream((_req, res) => {
      sseHead(res);
      sseWrite(res, role);
      sseWrite(res, piece('Once'));
    });
    const { gw } = await gateway(openaiTarget(up.baseUrl, { timeout_ms: 300 }));
    const { text, failure } = await streamed(gw);
    expect(text).toBe('Once');
    expect((failure as APIError).message).toBe('Upstream openai did not answer within 300 ms');
    await expect.poll(() => up.closedByPeer()).toBe(1);
  });

  it('is not idle while a slow client, not the upstream, holds it back', async () => {
    let blocked = false;
    const line = `data: ${JSON.stringify(piece('x'.repeat(16 * KiB)))}\n\n`;
    const up = await upstream(async (_req, res) => {
      sseHead(res);
      for (let n = 0; n < 2_000 && !res.destroyed; n++) {
        if (res.write(line)) continue;
        blocked = true;
        await drained(res);
      }
      res.end('data: [DONE]\n\n');
    });
    const { gw } = await gateway(openaiTarget(up.baseUrl, { timeout_ms: 300 }));
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${gw.url}/v1/chat/completions`,
        { method: 'POST', headers: { ...AUTH, 'content-type': 'application/json' } },
        (res) => {
          res.pause();
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => resolve(Buffer.concat(parts).toString()));
          const resume = () => (blocked ? setTimeout(() => res.resume(), 1_000) : setTimeout(resume, 20));
          resume();
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ ...hello(), stream: true }));
    });
    expect(blocked).toBe(true);
    expect(body).not.toContain('upstream_timeout');
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
  }, 30_000);
});
