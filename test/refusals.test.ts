// Token refusals say what is left and what would fit, and their retry headers are true for the request as sent.
import { HttpResponse } from 'msw';
import { expect, it } from 'vitest';
import { SEED_ENV } from './helpers/configs.js';
import { gatewaysWith, hello, type TestGateway } from './helpers/gateway.js';
import { promptOf, TEAM, TEAM_KEY, type TeamOptions, teamConfig } from './helpers/team.js';
import { completion, fakeOpenAI } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const gateway = gatewaysWith(upstream);
const start = (options: TeamOptions) => gateway(teamConfig(options), { env: SEED_ENV });
const requestCount = (g: TestGateway) => g.logs.filter((l) => l.msg === 'request').length;

interface ErrorBody {
  error: { message: string; details: Record<string, unknown> };
}

/** Spends `used` tokens of the team's budget with one answered call. */
async function spend(g: TestGateway, used: number): Promise<void> {
  upstream.answer(() => HttpResponse.json(completion('ok', { prompt_tokens: used - 62, completion_tokens: 62 })));
  expect((await g.post(hello(), TEAM)).status).toBe(200);
  upstream.reset();
}

it('with 238 tokens left today, says what would fit, and no header keeps the caller away for a day', async () => {
  const g = await start({ limits: { tokens_per_minute: 100_000, tokens_per_day: 1_000 } });
  await spend(g, 762);
  const prompt = promptOf(hello());
  const refused = await g.post(hello(), TEAM);
  expect(refused.status).toBe(429);
  const { error } = (await refused.json()) as ErrorBody;
  expect(error.message).toBe(
    `Rate limit exceeded for consumer group: team. 238 tokens left today; this request needs at least ${prompt + 256} (prompt ${prompt} + minimum output 256); send max_tokens ≤ ${238 - prompt} or wait until 2026-04-24T10:30:00Z`,
  );
  expect(error.details).toEqual({
    consumer_group: 'team',
    limit: 'tokens_per_day',
    limit_value: 1_000,
    retry_after_seconds: 86_400,
    remaining: 238,
    needed: prompt + 256,
    prompt_tokens: prompt,
    min_output_tokens: 256,
    max_tokens_that_fit: 238 - prompt,
    retry_at: '2026-04-24T10:30:00Z',
  });
  // Retrying this request as is cannot work before tomorrow, but a smaller one works now.
  expect(refused.headers.get('x-should-retry')).toBe('false');
  for (const name of ['retry-after', 'retry-after-ms']) expect(refused.headers.get(name), name).toBeNull();

  // The SDK neither sleeps a day nor retries at once: one request, and the error carries the figures.
  const before = requestCount(g);
  const sdkError = await g
    .client(TEAM_KEY, { maxRetries: 2 })
    .chat.completions.create(hello())
    .catch((e: unknown) => e);
  expect(sdkError).toMatchObject({ status: 429, error: { details: { max_tokens_that_fit: 238 - prompt } } });
  expect(requestCount(g) - before).toBe(1);

  // Exactly what the refusal offered is admitted now, and one token more is not.
  expect((await g.post({ ...hello(), max_tokens: 239 - prompt }, TEAM)).status).toBe(429);
  const fits = await g.client(TEAM_KEY).chat.completions.create({ ...hello(), max_tokens: 238 - prompt });
  expect(fits.choices[0]?.message.content).toBe('Hi there!');
  expect(upstream.received.at(-1)?.body.max_tokens).toBe(238 - prompt);
});

it('keeps Retry-After when the wait is one every SDK sleeps through, even if a smaller request fits', async () => {
  const g = await start({ limits: { tokens_per_minute: 1_000 } });
  await spend(g, 762);
  g.clock.advance(20_000);
  const refused = await g.post(hello(), TEAM);
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).toBe('40');
  expect(refused.headers.get('retry-after-ms')).toBe('40000');
  expect(refused.headers.get('x-should-retry')).toBeNull();
  const { error } = (await refused.json()) as ErrorBody;
  expect(error.message).toMatch(
    /^Rate limit exceeded for consumer group: team\. 238 tokens left this minute; .* or wait until 2026-04-23T10:31:00Z$/,
  );
});

it("names the request's own smaller max_tokens, and shares what fits among its n choices", async () => {
  const g = await start({ limits: { tokens_per_day: 1_000 } });
  await spend(g, 900);
  const prompt = promptOf(hello());

  const own = await g.post({ ...hello(), max_tokens: 120 }, TEAM);
  expect(own.status).toBe(429);
  const ownError = ((await own.json()) as ErrorBody).error;
  expect(ownError.message).toContain(`needs at least ${prompt + 120} (prompt ${prompt} + max_tokens 120)`);
  expect(ownError.details).toMatchObject({ min_output_tokens: 120, max_tokens_that_fit: 100 - prompt });

  const two = await g.post({ ...hello(), n: 2 }, TEAM);
  expect(two.status).toBe(429);
  const twoError = ((await two.json()) as ErrorBody).error;
  const each = Math.floor((100 - prompt) / 2);
  expect(twoError.message).toContain(
    `(prompt ${prompt} + minimum output 512 for 2 choices); send max_tokens ≤ ${each}`,
  );
  expect(twoError.details).toMatchObject({ min_output_tokens: 512, max_tokens_that_fit: each });
  expect((await g.post({ ...hello(), n: 2, max_tokens: each }, TEAM)).status).toBe(200);
});

it('says which smaller max_tokens can fit when the minimum output never can', async () => {
  const g = await start({ limits: { tokens_per_minute: 120 }, budget: { min_output_tokens: 64 } });
  const body = hello('gpt-4o-mini', 'word '.repeat(50));
  const prompt = promptOf(body);
  expect(prompt + 64).toBeGreaterThan(120);
  const res = await g.post(body, TEAM);
  expect(res.status).toBe(429);
  expect(res.headers.get('x-should-retry')).toBe('false');
  expect(res.headers.get('retry-after')).toBeNull();
  const { error } = (await res.json()) as ErrorBody;
  expect(error.message).toBe(
    `Request too large for consumer group: team on tokens_per_minute: limit 120, this request needs at least ${prompt + 64} (prompt ${prompt} + minimum output 64). Send max_tokens ≤ ${120 - prompt}; retrying as is will not help.`,
  );
  expect(error.details).toMatchObject({ max_tokens_that_fit: 120 - prompt, retry_after_seconds: null, retry_at: null });
  expect((await g.post({ ...body, max_tokens: 120 - prompt }, TEAM)).status).toBe(200);
});
