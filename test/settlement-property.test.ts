// A property: whatever body a caller sends and however the upstream answers, the gateway answers
// with a proper status and never a 500, and the budget moves by exactly what the outcome costs: the
// reported usage for an answer, the prompt for a stream cut short, nothing for an error.
import fc from 'fast-check';
import { HttpResponse } from 'msw';
import { expect, it, vi } from 'vitest';
import { chatRequestSchema } from '../providers/index.js';
import { MemoryStore } from '../src/stores/memory.js';
import { SEED_ENV } from './helpers/configs.js';
import { usedBy } from './helpers/faults.js';
import { gatewaysWith, tokenizer } from './helpers/gateway.js';
import { sseAnswer } from './helpers/sse-upstream.js';
import { TEAM, teamConfig } from './helpers/team.js';
import { completion, fakeOpenAI, type Received } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const gateway = gatewaysWith(upstream);

type Mode = 'answer' | 'error' | 'malformed';
const ANSWER_TOKENS = 150;
const STREAM_USAGE = { prompt_tokens: 8, completion_tokens: 2 };

function answer(mode: Mode, req: Received): Response {
  if (mode === 'error') return HttpResponse.json({ error: { message: 'busy', type: 'overloaded' } }, { status: 503 });
  if (req.body.stream === true) {
    return mode === 'answer'
      ? sseAnswer({ pieces: ['Hi', ' there'], usage: STREAM_USAGE })
      : sseAnswer({ pieces: ['Hi'], usage: null, malformedAfter: 0 });
  }
  if (mode === 'malformed')
    return new HttpResponse('{"id": "chatcmpl-', { headers: { 'content-type': 'application/json' } });
  return HttpResponse.json(completion('Hi there!', { prompt_tokens: 8, completion_tokens: ANSWER_TOKENS - 8 }));
}

/** Mostly `valid`, now and then `hostile`: most bodies get through to the budget, some do not. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: hostile });

const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('', 'Hi', '😀中文', '\u0000\\"'));
const count = mostly(
  fc.integer({ min: 1, max: 500 }),
  fc.oneof(fc.constantFrom(0, -1, 128, 129, 1_000_000, 1_000_001, 1e15, 2 ** 60, 0.5, null, '10', true), fc.double()),
);
const part = fc.record({ type: fc.constantFrom('text', 'image_url'), text });
const message = fc.record(
  {
    role: mostly(fc.constantFrom('user', 'system', 'assistant', 'developer'), fc.constantFrom('robot', 7, null)),
    content: mostly(fc.oneof(text, fc.array(part, { maxLength: 3 })), fc.constantFrom(null, 5, { text: 'x' })),
    name: text,
  },
  { requiredKeys: ['role', 'content'] },
);
const chatBody = fc.record(
  {
    model: mostly(
      fc.constantFrom('gpt-4o-mini', 'o3-mini'),
      fc.oneof(fc.constantFrom('gpt-4o', 'elsewhere', ''), text),
    ),
    messages: mostly(fc.array(message, { minLength: 1, maxLength: 4 }), fc.oneof(text, fc.constant([]))),
    max_tokens: count,
    max_completion_tokens: count,
    n: mostly(fc.integer({ min: 1, max: 4 }), count),
    stream: mostly(fc.boolean(), fc.constantFrom('yes', 1)),
    tools: fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 2 }),
    extra: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: ['model', 'messages'] },
);
/** Arrays nested `depth` deep around a value that may itself nest once, or hide brackets in a string. */
const deep = fc.record({
  depth: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 120 }) },
    { weight: 1, arbitrary: fc.constant(10_000) },
  ),
  inner: fc.constantFrom(['1', 0], ['"[{\\\\\\"["', 0], ['{}', 1], ['[]', 1]),
  field: fc.constantFrom('metadata', 'tools'),
});

interface Body {
  readonly raw: string;
  /** How deep the body nests, when a deep field was spliced in. */
  readonly levels?: number;
}

/** Raw bodies: a chat request with a deep field spliced in, any JSON at all, or broken text. */
const body: fc.Arbitrary<Body> = fc.oneof(
  { weight: 5, arbitrary: chatBody.map((b) => ({ raw: JSON.stringify(b) })) },
  {
    weight: 2,
    arbitrary: fc.tuple(chatBody, deep).map(([b, { depth, inner, field }]) => {
      // Spliced in last, so it wins over a field of the same name; `tools` adds its own array.
      const value = `${'['.repeat(depth)}${inner[0]}${']'.repeat(depth)}`;
      const spliced = field === 'tools' ? `[${value}]` : value;
      const raw = `${JSON.stringify(b).slice(0, -1)},"${field}":${spliced}}`;
      return { raw, levels: 1 + depth + Number(inner[1]) + (field === 'tools' ? 1 : 0) };
    }),
  },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => ({ raw: JSON.stringify(v) ?? '' })) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map((raw) => ({ raw })) },
);

/** A count no model honours (n above 128, an output cap above 1,000,000): always a 400. */
function asksTheAbsurd(raw: string): boolean {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return false;
  }
  if (typeof json !== 'object' || json === null) return false;
  const field = (name: string) => (json as Record<string, unknown>)[name];
  const over = (name: string, max: number) => typeof field(name) === 'number' && (field(name) as number) > max;
  return over('n', 128) || over('max_tokens', 1_000_000) || over('max_completion_tokens', 1_000_000);
}

/** What the outcome should cost: [requests, tokens]. */
function costOf(status: number, raw: string, mode: Mode, responseText: string): [number, number] {
  if (status !== 200) return [0, 0];
  const request = chatRequestSchema.parse(JSON.parse(raw));
  if (!request.stream) return [1, (JSON.parse(responseText) as { usage: { total_tokens: number } }).usage.total_tokens];
  // A stream cut short before any text is charged its prompt, counted exactly.
  return mode === 'answer'
    ? [1, STREAM_USAGE.prompt_tokens + STREAM_USAGE.completion_tokens]
    : [1, tokenizer.promptTokens(request)];
}

it('charges every request exactly what its outcome costs, and never answers a hostile body with a 500', async () => {
  const store = new MemoryStore();
  const limits = { requests_per_minute: 100_000, tokens_per_minute: 10_000_000_000 };
  const config = teamConfig({
    limits,
    allowed_models: ['gpt-4o-mini', 'o3*'],
    target: { models: ['gpt-4o*', 'o3*'] },
  });
  const g = await gateway(config, { env: SEED_ENV, store });
  await fc.assert(
    fc.asyncProperty(body, fc.constantFrom<Mode>('answer', 'error', 'malformed'), async ({ raw, levels }, mode) => {
      upstream.answer((req) => answer(mode, req));
      const before = await usedBy(g);
      const res = await g.post(raw, TEAM);
      const responseText = await res.text();
      expect([200, 400, 403, 404, 502, 503]).toContain(res.status);
      if (res.status !== 200) expect(JSON.parse(responseText)).toMatchObject({ error: { type: expect.any(String) } });
      if (levels !== undefined && levels > 64) expect(JSON.parse(responseText).error.code).toBe('nesting_too_deep');
      else if (asksTheAbsurd(raw)) expect(res.status).toBe(400);
      await vi.waitFor(() => expect(store.openCount).toBe(0));
      const after = await usedBy(g);
      const [requests, tokens] = costOf(res.status, raw, mode, responseText);
      expect(after.requests_per_minute! - before.requests_per_minute!).toBe(requests);
      expect(after.tokens_per_minute! - before.tokens_per_minute!).toBe(tokens);
    }),
    { numRuns: 150 },
  );
});
