// A non-stream upstream answer is bounded, against a real upstream socket: past max_response_bytes it is
// cut at that byte, the client gets a clear 502 and the reservation is released.
import { describe, expect, it } from 'vitest';
import type { MemoryStore } from '../src/stores/memory.js';
import { AUTH, boundedGateways, flood, KiB, openaiTarget, requestEvent } from './helpers/bounds.js';
import { hello } from './helpers/gateway.js';

const { upstream, gateway } = boundedGateways();

/** The reservation was released: the error shows the full budget, and nothing is left open. */
function expectReleased(res: Response, store: MemoryStore): void {
  expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('100');
  expect(res.headers.get('x-ratelimit-remaining-tokens')).toBe('100000');
  expect(store.openCount).toBe(0);
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
    const { gw, store } = await gateway(openaiTarget(up.baseUrl, { max_response_bytes: 64 * KiB }));
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
    expectReleased(res, store);
    expect(await requestEvent(gw)).toMatchObject({ status: 502, outcome: 'upstream_error' });
  });

  it('that never ends is cut at max_response_bytes: 502 at once, and the upstream is hung up on', async () => {
    const up = await upstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      await flood(res, `{"pad":"${'x'.repeat(16 * KiB)}",`);
    });
    const { gw, store } = await gateway(openaiTarget(up.baseUrl, { max_response_bytes: 64 * KiB, timeout_ms: 5_000 }));
    const res = await gw.post(hello(), AUTH);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_response_too_large');
    expectReleased(res, store);
    await expect.poll(() => up.closedByPeer()).toBe(1);
  });

  it('that is an error status with an endless body keeps its status, without reading the body to its end', async () => {
    const up = await upstream(async (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '7' });
      await flood(res, 'overloaded '.repeat(1000));
    });
    const { gw, store } = await gateway(openaiTarget(up.baseUrl, { max_response_bytes: 64 * KiB, timeout_ms: 5_000 }));
    const res = await gw.post(hello(), AUTH);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({
      error: { message: 'Upstream returned HTTP 503', type: 'upstream_error', param: null, code: null },
    });
    expectReleased(res, store);
    await expect.poll(() => up.closedByPeer()).toBe(1);
  });
});
