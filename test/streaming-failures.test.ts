// Streams that end badly, against a real upstream socket (msw's passthrough hides socket errors):
// a client that hangs up and an upstream that resets are charged for what was streamed.
import { APIError } from 'openai';
import { expect, it } from 'vitest';
import { hello, startGateway, tokenizer } from './helpers/gateway.js';
import { localUpstream, sseHead, sseWrite } from './helpers/local-upstream.js';
import { chunk } from './helpers/sse-upstream.js';

const KEY = 'tg_team_stream_key_0123456789';
const config = (baseUrl: string) => `
providers:
  targets:
    - id: openai
      provider: openai
      base_url: ${baseUrl}
consumer_groups:
  - name: team
    api_key: ${KEY}
    rate_limits:
      requests_per_minute: 100
      tokens_per_minute: 100000
`;
const PIECES = ['Once', ' upon', ' a', ' time', ', there', ' was', ' a', ' gateway', '.'];
const promptTokens = tokenizer.promptTokens({ model: 'gpt-4o-mini', messages: hello().messages });

it('charges what was streamed when the client aborts, and aborts the upstream', async () => {
  let hold: () => void = () => {};
  const up = await localUpstream(async (_req, res) => {
    sseHead(res);
    sseWrite(res, chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
    for (const piece of PIECES.slice(0, 3))
      sseWrite(res, chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
    await new Promise<void>((r) => (hold = r));
    if (!res.destroyed) res.end();
  });
  const local = await startGateway(config(up.baseUrl));
  try {
    const controller = new AbortController();
    const stream = await local
      .client(KEY)
      .chat.completions.create({ ...hello(), stream: true }, { signal: controller.signal });
    let text = '';
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      if (text === PIECES.slice(0, 3).join('')) controller.abort();
    }
    await expect.poll(() => local.logs.filter((l) => l.msg === 'request').length).toBe(1);
    expect(local.logs.find((l) => l.msg === 'request')?.outcome).toBe('client_aborted');
    expect(local.logs.find((l) => l.msg === 'request')?.usage).toMatchObject({
      total_tokens: promptTokens + tokenizer.count('gpt-4o-mini', text),
    });
    await expect.poll(() => up.closedByPeer()).toBe(1);
    hold();
  } finally {
    hold();
    await local.close();
    await up.close();
  }
});

it('ends with an OpenAI-shaped error event when the upstream resets mid-stream', async () => {
  const up = await localUpstream((_req, res) => {
    sseHead(res);
    sseWrite(res, chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
    for (const piece of PIECES.slice(0, 4))
      sseWrite(res, chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
    setImmediate(() => res.socket?.destroy());
  });
  const local = await startGateway(config(up.baseUrl));
  try {
    const stream = await local.client(KEY).chat.completions.create({ ...hello(), stream: true });
    let text = '';
    const failure = await (async () => {
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toContain('failed mid-stream');
    expect(text).toBe(PIECES.slice(0, 4).join(''));
    await expect.poll(() => local.logs.filter((l) => l.msg === 'request').length).toBe(1);
    const event = local.logs.find((l) => l.msg === 'request');
    expect(event?.outcome).toBe('upstream_error');
    expect(event?.usage).toMatchObject({ total_tokens: promptTokens + tokenizer.count('gpt-4o-mini', text) });
    const after = await local
      .client(KEY)
      .chat.completions.create({ ...hello(), stream: true })
      .catch((e: unknown) => e);
    expect(after).not.toBeInstanceOf(Error);
  } finally {
    await local.close();
    await up.close();
  }
});

it('ends with an error event, not [DONE], when the upstream closes the stream without [DONE]', async () => {
  const up = await localUpstream((_req, res) => {
    sseHead(res);
    sseWrite(res, chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
    for (const piece of PIECES.slice(0, 2))
      sseWrite(res, chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
    res.end();
  });
  const local = await startGateway(config(up.baseUrl));
  try {
    const res = await local.post({ ...hello(), stream: true }, { authorization: `Bearer ${KEY}` });
    const body = await res.text();
    expect(body).not.toContain('data: [DONE]');
    expect(body).toContain('upstream_stream_error');
    await expect.poll(() => local.logs.filter((l) => l.msg === 'request').length).toBe(1);
    expect(local.logs.find((l) => l.msg === 'request')?.outcome).toBe('upstream_error');
  } finally {
    await local.close();
    await up.close();
  }
});
