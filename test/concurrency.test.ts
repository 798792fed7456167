// The stated bound: however many calls run at once, tokens charged in a window never exceed the limit
// (upstream usage here equals the prompt estimate, so the estimate error is zero).
import { delay, HttpResponse } from 'msw';
import { RateLimitError } from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chatRequestSchema } from '../providers/index.js';
import { MemoryStore } from '../src/stores/memory.js';
import type { ReserveInput, ReserveResult } from '../src/stores/types.js';
import { SEED_ENV } from './helpers/configs.js';
import { startGateway, type TestGateway, tokenizer } from './helpers/gateway.js';
import { num, TEAM, TEAM_KEY, teamConfig } from './helpers/team.js';
import { completion, fakeOpenAI } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const CALLS = 100;
const TOKENS_PER_MINUTE = 3000;
const REQUESTS_PER_MINUTE = 1000;
const DEFAULT_OUTPUT = 200;
/** How long an answer the upstream would give if uncapped. */
const ANSWER_TOKENS = 150;

/** Output allowance reserved per request id, read from the store's decisions. */
const allowances = new Map<string, number>();

class RecordingStore extends MemoryStore {
  override async reserve(input: ReserveInput): Promise<ReserveResult> {
    const result = await super.reserve(input);
    if (result.decision.admitted) {
      allowances.set(input.id.split(':')[1] ?? '', result.decision.outputAllowance);
    }
    return result;
  }
}

const store = new RecordingStore();
let gw: TestGateway;

beforeAll(async () => {
  upstream.listen();
  gw = await startGateway(
    teamConfig({
      limits: { requests_per_minute: REQUESTS_PER_MINUTE, tokens_per_minute: TOKENS_PER_MINUTE },
      budget: { default_output_tokens: DEFAULT_OUTPUT, min_output_tokens: 16 },
    }),
    { env: SEED_ENV, store },
  );
});
afterAll(async () => {
  await gw.close();
  upstream.close();
});

it(`charges no more than tokens_per_minute across ${CALLS} concurrent calls, and refuses the rest with 429`, async () => {
  let turn = 0;
  upstream.answer(async ({ body }) => {
    // Staggered answers, so settlements interleave with new reservations.
    await delay((turn++ * 7) % 23);
    const request = chatRequestSchema.parse(body);
    const cap = request.max_completion_tokens ?? Number.POSITIVE_INFINITY;
    const prompt = tokenizer.promptTokens(request);
    return HttpResponse.json(
      completion('…', { prompt_tokens: prompt, completion_tokens: Math.min(cap, ANSWER_TOKENS) }),
    );
  });

  const client = gw.client(TEAM_KEY);
  const results = await Promise.allSettled(
    Array.from({ length: CALLS }, (_, i) =>
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `Question number ${i}: ${'why '.repeat(i % 9)}?` }],
      }),
    ),
  );

  const admitted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const charged = admitted.reduce((sum, c) => sum + (c.usage?.total_tokens ?? Number.NaN), 0);

  expect(admitted.length + refused.length).toBe(CALLS);
  expect(admitted.length).toBeGreaterThan(TOKENS_PER_MINUTE / (DEFAULT_OUTPUT + 30));
  expect(refused.length).toBeGreaterThan(0);
  expect(charged).toBeLessThanOrEqual(TOKENS_PER_MINUTE);

  for (const err of refused) {
    expect(err).toBeInstanceOf(RateLimitError);
    const e = err as RateLimitError;
    expect(e.error).toMatchObject({
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      details: { consumer_group: 'team', limit: 'tokens_per_minute', limit_value: TOKENS_PER_MINUTE },
    });
    expect(Number(e.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
  }

  // The upstream was never allowed to answer more than was reserved for that call.
  expect(upstream.received).toHaveLength(admitted.length);
  for (const got of upstream.received) {
    const reserved = allowances.get(got.headers.get('x-request-id') ?? '');
    expect(reserved).toBeDefined();
    expect(got.body.max_completion_tokens).toBe(reserved);
    expect(reserved).toBeLessThanOrEqual(DEFAULT_OUTPUT);
  }

  // The counters agree with what the admitted calls reported: every reservation was settled once.
  const probe = await gw.post({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x '.repeat(4000) }] }, TEAM);
  expect(probe.status).toBe(429);
  expect(TOKENS_PER_MINUTE - num(probe, 'X-RateLimit-Remaining-Tokens')).toBe(charged);
  expect(REQUESTS_PER_MINUTE - num(probe, 'X-RateLimit-Remaining-Requests')).toBe(admitted.length);
  expect(store.openCount).toBe(0);
});
