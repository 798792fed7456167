// Seed 001: two consumers with their own token budgets (500 and 10000 a minute) on a Bedrock model.
import { HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway, tokenizer } from '../helpers/gateway.js';
import { AWS_ENV, bedrockTarget, type ConverseCall, fakeBedrock, NOVA } from './fake-bedrock.js';

const bedrock = fakeBedrock();
// Until consumers land, the seed's two consumers are two consumer groups keyed the same way.
const SEED_001 = `
providers:
  targets:
${bedrockTarget()}
consumer_groups:
  - name: user1
    api_key: '123456'
    rate_limits:
      tokens_per_minute: 500
  - name: user2
    api_key: '987654'
    rate_limits:
      tokens_per_minute: 10000
`;
const USER1 = { apikey: '123456' };
const USER2 = { apikey: '987654' };
const SEED_BODY = { messages: [{ role: 'user', content: 'Who is Jimi Hendrix?' }], model: NOVA };
const PROMPT = tokenizer.promptTokens({ model: NOVA, messages: [{ role: 'user', content: 'Who is Jimi Hendrix?' }] });

/** Bedrock as in the seed: 5 input tokens and an answer of `wanted` tokens, cut at maxTokens. */
function answers(wanted: number[]) {
  return ({ body }: ConverseCall) => {
    const maxTokens = (body.inferenceConfig as { maxTokens: number }).maxTokens;
    const outputTokens = Math.min(wanted.shift() ?? 100, maxTokens);
    return HttpResponse.json({
      output: { message: { role: 'assistant', content: [{ text: 'Jimi Hendrix was an American rock guitarist…' }] } },
      stopReason: outputTokens === maxTokens ? 'max_tokens' : 'end_turn',
      usage: { inputTokens: 5, outputTokens, totalTokens: 5 + outputTokens },
      metrics: { latencyMs: 3155 },
    });
  };
}

let gw: TestGateway;

beforeAll(() => bedrock.listen());
afterAll(() => bedrock.close());
beforeEach(async () => {
  gw = await startGateway(SEED_001, { env: AWS_ENV });
});
afterEach(async () => {
  bedrock.reset();
  await gw.close();
});

describe('seed 001: per-consumer token budgets on Bedrock', () => {
  it('limits user1 to 500 tokens a minute while user2 goes on with 10000', async () => {
    bedrock.answer(answers([570, 330, 480]));

    const first = await gw.post(SEED_BODY, USER1);
    expect(first.status).toBe(200);
    // user1 can only afford 500 tokens: Bedrock is asked for no more than what is left after the prompt.
    expect(bedrock.received[0]?.body.inferenceConfig).toEqual({ maxTokens: 500 - PROMPT });
    const answer = await first.json();
    expect(answer).toMatchObject({
      object: 'chat.completion',
      choices: [{ index: 0, finish_reason: 'length', message: { role: 'assistant' } }],
      usage: { prompt_tokens: 5, completion_tokens: 500 - PROMPT, total_tokens: 505 - PROMPT },
    });
    expect(first.headers.get('X-RateLimit-Limit-Tokens')).toBe('500');
    expect(first.headers.get('X-RateLimit-Remaining-Tokens')).toBe(String(PROMPT - 5));

    const second = await gw.post(SEED_BODY, USER2);
    expect(second.status).toBe(200);
    expect(((await second.json()) as { usage: unknown }).usage).toEqual({
      prompt_tokens: 5,
      completion_tokens: 330,
      total_tokens: 335,
    });
    expect(second.headers.get('X-RateLimit-Limit-Tokens')).toBe('10000');
    expect(second.headers.get('X-RateLimit-Remaining-Tokens')).toBe(String(10_000 - 335));

    const refused = await gw.post(SEED_BODY, USER1);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('X-RateLimit-Limit-Tokens')).toBe('500');
    expect(refused.headers.get('X-RateLimit-Remaining-Tokens')).toBe(String(PROMPT - 5));
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: unknown }).error).toMatchObject({
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      message: expect.stringMatching(/^Rate limit exceeded for consumer group: user1\. \d+ tokens left this minute; /),
    });
    expect(bedrock.received).toHaveLength(2);

    const third = await gw.post(SEED_BODY, USER2);
    expect(third.status).toBe(200);
    expect(third.headers.get('X-RateLimit-Remaining-Tokens')).toBe(String(10_000 - 335 - 485));
  });

  it('gives user1 its 500 tokens back once the minute has passed', async () => {
    bedrock.answer(answers([570, 570]));
    expect((await gw.post(SEED_BODY, USER1)).status).toBe(200);
    expect((await gw.post(SEED_BODY, USER1)).status).toBe(429);
    gw.clock.advance(61_000);
    const again = await gw.post(SEED_BODY, USER1);
    expect(again.status).toBe(200);
    expect(again.headers.get('X-RateLimit-Remaining-Tokens')).toBe(String(PROMPT - 5));
  });
});
