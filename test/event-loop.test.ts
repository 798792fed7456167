// The worst prompts and answers get their proper answer while the event loop stays free: another
// team's small request is answered meanwhile, and no event-loop turn takes longer than the bound.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatRequestSchema } from '../providers/index.js';
import { startGateway, type TestGateway, tokenizer } from './helpers/gateway.js';
import { localUpstream, sseHead, sseWrite } from './helpers/local-upstream.js';
import { chunk } from './helpers/sse-upstream.js';
import { completion } from './helpers/upstream.js';

const MiB = 1024 * 1024;
/**
 * Generous for a shared test machine: a quadratic count or tiktoken loading in a request takes
 * seconds. On top of it, each case is allowed twice the body's own floor (see floorMs).
 */
const MAX_DELAY_MS = 200;
const RESOLUTION_MS = 10;
const OTHER = { authorization: 'Bearer tg_other_team_7d1e0c94b2a35f68' };
const BULK = { authorization: 'Bearer tg_bulk_team_3f9a62c15e0d47b8' };
const NEAR = { authorization: 'Bearer tg_near_team_a4c8e1f0697b2d35' };
const NEAR_LIMIT = 400_000;
const STREAMED = 300 * 1024;

/** A seeded generator: the same texts on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Random characters from `alphabet` until the text takes `bytes` bytes of UTF-8. */
function randomText(alphabet: string, bytes: number, seed: number): string {
  const chars = [...alphabet];
  const sizes = chars.map((c) => Buffer.byteLength(c));
  const next = random(seed);
  const parts: string[] = [];
  for (let size = 0; size < bytes; ) {
    const i = Math.floor(next() * chars.length);
    parts.push(chars[i]!);
    size += sizes[i]!;
  }
  return parts.join('');
}

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
let sent = 0;
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

/**
 * The body's own floor: reading it into one buffer, decoding and parsing it (and encoding it again
 * to forward it) are linear passes no design avoids, timed here on the same bytes. On an idle
 * machine that is a few tens of milliseconds for 16 MiB; on a loaded one, much more.
 */
function floorMs(bytes: Buffer, forwarded: boolean): number {
  const started = performance.now();
  const raw = Buffer.concat([bytes]).toString('utf8');
  JSON.parse(raw);
  if (forwarded) Buffer.from(raw);
  return performance.now() - started;
}

/** node:http writes the buffer as it is (fetch would copy 16 MiB on this same event loop first). */
function send(
  bytes: Buffer,
  headers: Record<string, string>,
): Promise<Omit<Handled, 'maxDelayMs' | 'floorMs' | 'others'>> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${g.url}/v1/chat/completions`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': bytes.length, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            header: (name) => {
              const value = res.headers[name];
              return Array.isArray(value) ? value.join(', ') : (value ?? null);
            },
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject).end(bytes);
  });
}

interface Handled {
  readonly status: number;
  header(name: string): string | null;
  readonly text: string;
  /** The longest event-loop delay while the request was handled. */
  readonly maxDelayMs: number;
  readonly floorMs: number;
  /** Statuses of the other team's small requests, sent one after another meanwhile. */
  readonly others: number[];
}

/** Resolves once the gateway has logged the request's event: it is settled, streams included. */
async function settled(requestId: string): Promise<void> {
  while (!g.logs.some((l) => l.msg === 'request' && l.request_id === requestId)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Sends `body` (already encoded, so the client's own encoding is not measured) while another team
 * keeps asking, until the request is settled (a stream's count runs after its last chunk).
 */
async function whileHandling(body: unknown, headers: Record<string, string>, forwarded = false): Promise<Handled> {
  const bytes = Buffer.from(JSON.stringify(body));
  const floor = floorMs(bytes, forwarded);
  // Building the body held this loop too: keep-alive timers that fell due meanwhile run first, so
  // no request goes out on a socket the server is about to close.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  let done = false;
  const requestId = `worst-case-${++sent}`;
  const big = send(bytes, { ...headers, 'x-request-id': requestId })
    .then(async (answer) => {
      await settled(requestId);
      return answer;
    })
    .finally(() => {
      done = true;
    });
  const others: number[] = [];
  while (!done || others.length === 0) {
    const res = await g.post(chat('gpt-4o-mini', [user('ping')]), OTHER);
    await res.text();
    others.push(res.status);
  }
  const answer = await big;
  // The histogram records a delay when its own timer next runs: let it, before it stops.
  await new Promise((resolve) => setTimeout(resolve, 3 * RESOLUTION_MS));
  delay.disable();
  return { ...answer, maxDelayMs: delay.max / 1e6, floorMs: floor, others };
}

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
