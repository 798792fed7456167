// The worst prompts and answers get their proper answer while the event loop stays free: another
// team's small request is answered meanwhile, and no event-loop turn takes longer than the bound.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatRequestSchema } from '../providers/index.js';
import { type Handled, whileHandling as measured, randomText } from './helpers/event-loop.js';
import { startGateway, type TestGateway, tokenizer } from './helpers/gateway.js';
import { localUpstream, sseHead, sseWrite } from './helpers/local-upstream.js';
import { chunk } from './helpers/sse-upstream.js';
import { completion } from './helpers/upstream.js';

const MiB = 1024 * 1024;
/**
 * Generous for a shared test machine: a quadratic count or tiktoken loading in a request takes
 * seconds. On top of it, each case is allowed twice the body's own floor (see helpers/event-loop.ts).
 */
const MAX_DELAY_MS = 200;
const OTHER = { authorization: 'Bearer tg_other_team_7d1e0c94b2a35f68' };
const BULK = { authorization: 'Bearer tg_bulk_team_3f9a62c15e0d47b8' };
const NEAR = { authorization: 'Bearer tg_near_team_a4c8e1f0697b2d35' };
const NEAR_LIMIT = 400_000;
const STREAMED = 300 * 1024;

/** One streamed chunk: 1,024 UTF-16 units of emoji. */
const EMOJI = randomText('😀🚀🎉💥🔥', 2048, 11);

const user = (content: string) => ({ role: 'user', content });
const chat = (model: string, messages: unknown[], extra: Record<string, unknown> = {}) => ({
  model,
  messages,
  ...extra,
});

/** A tool whose parameters nest `levels` schemas: the whole body nests 5 + 2 × levels deep. */
function deepTool(levels: number) {
  let schema: Record<string, unknown> = { type: 'string', description: 'the innermost field' };
  for (let i = 0; i < levels; i++) schema = { type: 'object', properties: { field: schema } };
  return { type: 'function', function: { name: 'deep', description: 'nested parameters', parameters: schema } };
}

function depth(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depth));
}

/** An upstream that reads the whole body without parsing it (a 16 MiB parse here would count against the loop). */
async function drainingUpstream() {
  let received = 0;
  const server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (d: Buffer) => {
      bytes += d.length;
    });
    req.on('end', () => {
      received = bytes;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(completion('from the drain', { prompt_tokens: 5_000_000, completion_tokens: 4 }, 'gpt-4o')),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let g: TestGateway;
let drain: Awaited<ReturnType<typeof drainingUpstream>>;
let sse: Awaited<ReturnType<typeof localUpstream>>;

beforeAll(async () => {
  drain = await drainingUpstream();
  // An answer of STREAMED units of emoji (the costliest run for BPE), and no usage: the gateway counts it.
  sse = await localUpstream((_req, res) => {
    sseHead(res);
    sseWrite(res, chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
    for (let sent = 0; sent < STREAMED; sent += EMOJI.length)
      sseWrite(res, chunk([{ index: 0, delta: { content: EMOJI }, finish_reason: null }]));
    sseWrite(res, chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]));
    sseWrite(res, '[DONE]');
    res.end();
  });
  g = await startGateway(`
server: { max_body_bytes: ${20 * MiB} }
providers:
  targets:
    - { id: mock, provider: mock, models: [gpt-4o-mini] }
    - { id: drain, provider: openai, base_url: '${drain.baseUrl}', models: [gpt-4o] }
    - { id: sse, provider: openai, base_url: '${sse.baseUrl}', models: [gpt-4.1-mini] }
consumer_groups:
  - name: other
    api_key: ${OTHER.authorization.slice(7)}
    rate_limits: { requests_per_minute: 100000, tokens_per_minute: 100000000 }
  - name: bulk
    api_key: ${BULK.authorization.slice(7)}
    rate_limits: { requests_per_minute: 1000, tokens_per_minute: 1000000000 }
  - name: near
    api_key: ${NEAR.authorization.slice(7)}
    rate_limits: { tokens_per_minute: ${NEAR_LIMIT} }
rate_limit_defaults: { requests_per_minute: 100, tokens_per_minute: 100000 }
`);
});
afterAll(async () => {
  await g?.close();
  await drain?.close();
  await sse?.close();
});

const whileHandling = (body: unknown, headers: Record<string, string>, forwarded = false) =>
  measured(g, { body, headers, forwarded, other: () => g.post(chat('gpt-4o-mini', [user('ping')]), OTHER) });

function expectFree(handled: Handled): void {
  expect(handled.maxDelayMs).toBeLessThan(MAX_DELAY_MS + 2 * handled.floorMs);
  expect(handled.others.length).toBeGreaterThan(0);
  expect(handled.others.every((s) => s === 200)).toBe(true);
}

const errorOf = (h: Handled) => (JSON.parse(h.text) as { error: { code: string; message: string } }).error;
const usageOf = (h: Handled) =>
  (JSON.parse(h.text) as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;

describe('anonymous 16 MiB prompts are refused as too large, counted no further than the limit', () => {
  it.each([
    ['without whitespace', () => 'x'.repeat(16 * MiB)],
    ['one space, then none', () => ` ${'y'.repeat(16 * MiB)}`],
    ['random emoji and CJK', () => randomText('😀🚀🎉💥🔥世界漢字中文日本語한국어', 16 * MiB, 3)],
  ])('%s', async (_name, text) => {
    const handled = await whileHandling(chat('gpt-4o-mini', [user(text())]), {});
    expect(handled.status).toBe(429);
    expect(errorOf(handled).message).toMatch(/^Request too large for consumer group: default on tokens_per_minute/);
    expect(handled.header('x-should-retry')).toBe('false');
    expectFree(handled);
  });
});

describe('large and hostile prompts within the budget are answered', () => {
  it('forwards a 16 MiB prompt without whitespace, far from the limit, without counting it', async () => {
    const handled = await whileHandling(chat('gpt-4o', [user('z'.repeat(16 * MiB))]), BULK, true);
    expect(handled.status).toBe(200);
    expect(drain.received()).toBeGreaterThan(16 * MiB);
    expect(JSON.parse(handled.text)).toMatchObject({ choices: [{ message: { content: 'from the drain' } }] });
    expectFree(handled);
  });

  it('answers 10,000 one-character messages with their exact count', async () => {
    const body = chat(
      'gpt-4o-mini',
      Array.from({ length: 10_000 }, (_, i) => user(String.fromCharCode(97 + (i % 26)))),
    );
    const expected = tokenizer.promptTokens(chatRequestSchema.parse(body));
    const handled = await whileHandling(body, BULK);
    expect(handled.status).toBe(200);
    expect(usageOf(handled).prompt_tokens).toBe(expected);
    expectFree(handled);
  });

  it('answers a tool schema nested as deep as a body may be, counting the tools', async () => {
    const body = chat('gpt-4o-mini', [user('Fill in the deepest field.')], { tools: [deepTool(27)] });
    expect(depth(body)).toBe(59);
    const expected = tokenizer.promptTokens(chatRequestSchema.parse(body));
    const handled = await whileHandling(body, BULK);
    expect(handled.status).toBe(200);
    expect(usageOf(handled).prompt_tokens).toBe(expected);
    expectFree(handled);
  });

  it('admits near its limit a prompt whose bound would not fit: the exact count runs, off the loop', async () => {
    // 512 KiB without whitespace: about 270,000 tokens, while its UTF-8 bound is 524,000.
    const body = chat('gpt-4o-mini', [user(randomText('abcdefghijklmnopqrstuvwxyz', 512 * 1024, 5))]);
    expect(tokenizer.promptUpperBound(chatRequestSchema.parse(body))).toBeGreaterThan(NEAR_LIMIT);
    const handled = await whileHandling(body, NEAR);
    expect(handled.status).toBe(200);
    const usage = usageOf(handled);
    expect(usage.prompt_tokens + 256).toBeLessThanOrEqual(NEAR_LIMIT);
    // The mock echoes the prompt: its answer was cut at the default 4,096-token allowance.
    expect(usage.completion_tokens).toBeLessThanOrEqual(4096);
    expect(JSON.parse(handled.text)).toMatchObject({ choices: [{ finish_reason: 'length' }] });
    expectFree(handled);
  });

  it('counts a long streamed answer without whitespace when the upstream reports no usage', async () => {
    // The gateway counts the first 256 KiB of an answer and scales.
    const sample = 256 * 1024;
    const expected = Math.ceil(
      (tokenizer.count('gpt-4.1-mini', EMOJI.repeat(sample / EMOJI.length)) * STREAMED) / sample,
    );
    const handled = await whileHandling(chat('gpt-4.1-mini', [user('Stream a long word.')], { stream: true }), BULK);
    expect(handled.status).toBe(200);
    expect(handled.text.endsWith('data: [DONE]\n\n')).toBe(true);
    await expect
      .poll(() => g.logs.find((l) => l.msg === 'request' && l.model === 'gpt-4.1-mini')?.usage)
      .toMatchObject({ completion_tokens: expected });
    expectFree(handled);
  });
});
