// Upstream answers are bounded, against a real upstream socket: a body's size, one event's size, a
// stream's silence (bytes, not events) and its whole length; each failure is a clear error, settled.
import type { ServerResponse } from 'node:http';
import { request } from 'node:http';
import { APIError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/stores/memory.js';
import { hello, startGateway, type TestGateway, tokenizer } from './helpers/gateway.js';
import { localUpstream, sseHead, sseWrite } from './helpers/local-upstream.js';
import { chunk } from './helpers/sse-upstream.js';

const KEY = 'tg_bounds_team_key_5b1e9c7a20d4';
const AUTH = { authorization: `Bearer ${KEY}` };
const KiB = 1024;
type Upstream = Awaited<ReturnType<typeof localUpstream>>;

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

let store = new MemoryStore();
async function gatewayFor(up: Upstream, bounds: Record<string, number>): Promise<TestGateway> {
  store = new MemoryStore();
  const fields = Object.entries(bounds)
    .map(([k, v]) => `\n      ${k}: ${v}`)
    .join('');
  const gw = await startGateway(
    `
providers:
  targets:
    - id: openai
      provider: openai
      base_url: ${up.baseUrl}${fields}
consumer_groups:
  - name: team
    api_key: ${KEY}
    rate_limits:
      requests_per_minute: 100
      tokens_per_minute: 100000
`,
    { store },
  );
  open.push(gw);
  return gw;
}

async function upstream(handler: Parameters<typeof localUpstream>[0]): Promise<Upstream> {
  const up = await localUpstream(handler);
  open.push(up);
  return up;
}

const promptTokens = tokenizer.promptTokens({ model: 'gpt-4o-mini', messages: hello().messages });
const role = chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
const piece = (content: string) => chunk([{ index: 0, delta: { content }, finish_reason: null }]);

/** Resolves when the socket takes more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Writes `bytes` again and again, as fast as the socket takes them, until the gateway hangs up. */
async function flood(res: ServerResponse, bytes: string): Promise<void> {
  while (!res.destroyed) if (!res.write(bytes)) await drained(res);
}

/** Writes `bytes` every `ms` until the gateway hangs up. */
function trickle(res: ServerResponse, bytes: string, ms: number): void {
  const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(bytes)), ms);
}

async function requestEvent(gw: TestGateway): Promise<Record<string, unknown>> {
  await expect.poll(() => gw.logs.filter((l) => l.msg === 'request').length).toBe(1);
  return gw.logs.find((l) => l.msg === 'request')!;
}

/** The reservation was released: the error shows the full budget, and nothing is left open. */
function expectReleased(res: Response): void {
  expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('100');
  expect(res.headers.get('x-ratelimit-remaining-tokens')).toBe('100000');
  expect(store.openCount).toBe(0);
}

/** Streams a request with the OpenAI SDK: the text that arrived, and the error that ended it. */
async function streamed(gw: TestGateway): Promise<{ text: string; failure: unknown }> {
  const stream = await gw.client(KEY).chat.completions.create({ ...hello(), stream: true });
  let text = '';
  const failure = await (async () => {
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
  })().catch((e: unknown) => e);
  return { text, failure };
}

describe('a non-stream answer', () => {
  it('larger than max_response_bytes is a 502 upstream_response_too_large, and the budget is released', async () => {
    const big = JSON.stringify({
      id: 'chatcmpl-big',
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(256 * KiB) }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 9, completion_tokens: 40_000, total_tokens: 40_009 },
    });
    const up = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(big);
    });
    const gw = await gatewayFor(up, { max_response_bytes: 64 * KiB });
    const res = await gw.post(hello(), AUTH);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({
      error: {
        message: `Upstream openai sent a response larger than ${64 * KiB} bytes (the target's max_response_bytes); the gateway stopped reading it`,
        type: 'upstream_error',
        param: null,
        code: 'upstream_response_too_large',
      },
    });
    expectReleased(res);
    expect(await requestEvent(gw)).toMatchObject({ status: 502, outcome: 'upstream_error' });
  });

  it('that never ends is cut at max_response_bytes: 502 at once, and the upstream is hung up on', async () => {
    const up = await upstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      await flood(res, `{"pad":"${'x'.repeat(16 * KiB)}",`);
    });
    const gw = await gatewayFor(up, { max_response_bytes: 64 * KiB, timeout_ms: 5_000 });
    const res = await gw.post(hello(), AUTH);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_response_too_large');
    expectReleased(res);
    await expect.poll(() => up.closedByPeer()).toBe(1);
  });

  it('that is an error status with an endless body keeps its status, without reading the body to its end', async () => {
    const up = await upstream(async (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '7' });
      await flood(res, 'overloaded '.repeat(1000));
    });
    const gw = await gatewayFor(up, { max_response_bytes: 64 * KiB, timeout_ms: 5_000 });
    const res = await gw.post(hello(), AUTH);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({
      error: { message: 'Upstream returned HTTP 503', type: 'upstream_error', param: null, code: null },
    });
    expectReleased(res);
    await expect.poll(() => up.closedByPeer()).toBe(1);
  });
});

describe('a streamed answer', () => {
  it('with one event larger than max_response_bytes ends with an error event, charging what was streamed', async () => {
    const up = await upstream(async (_req, res) => {
      sseHead(res);
      sseWrite(res, role);
      for (const p of ['Once', ' upon']) sseWrite(res, piece(p));
      res.write('data: {"pad":"');
      await flood(res, 'x'.repeat(16 * KiB)); // megabytes and no newline
    });
    const gw = await gatewayFor(up, { max_response_bytes: 64 * KiB, timeout_ms: 5_000 });
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
    const gw = await gatewayFor(up, { timeout_ms: 400 });
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
    const gw = await gatewayFor(up, { timeout_ms: 400, stream_max_duration_ms: 1_500 });
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
    const gw = await gatewayFor(up, { timeout_ms: 300 });
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
    const gw = await gatewayFor(up, { timeout_ms: 300 });
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
