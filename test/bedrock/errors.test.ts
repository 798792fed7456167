// Bedrock's exceptions as the OpenAI SDK sees them: status, type and code, and the team not charged.
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { AWS_ENV, bedrockError, converseReply, fakeBedrock, NOVA, teamConfig } from './fake-bedrock.js';

const bedrock = fakeBedrock();
const KEY = 'tg_bedrock_errors_key_7d2c9b4e1a';
const CONFIG = teamConfig(KEY);
const ask = { model: NOVA, messages: [{ role: 'user' as const, content: 'Hi' }] };

let gw: TestGateway;

beforeAll(() => bedrock.listen());
afterAll(() => bedrock.close());
beforeEach(async () => {
  gw = await startGateway(CONFIG, { env: AWS_ENV });
});
afterEach(async () => {
  bedrock.reset();
  await gw.close();
});

describe('bedrock errors', () => {
  it.each([
    ['ThrottlingException', 429, 429, 'rate_limit_error', 'upstream_rate_limited'],
    ['ValidationException', 400, 400, 'invalid_request_error', 'upstream_invalid_request'],
    ['AccessDeniedException', 403, 403, 'permission_error', 'upstream_access_denied'],
    ['ResourceNotFoundException', 404, 404, 'invalid_request_error', 'model_not_found'],
    ['ModelNotReadyException', 429, 503, 'upstream_error', 'upstream_unavailable'],
    ['ServiceUnavailableException', 503, 503, 'upstream_error', 'upstream_unavailable'],
    ['ModelTimeoutException', 408, 504, 'upstream_error', 'upstream_timeout'],
    ['InternalServerException', 500, 502, 'upstream_error', 'upstream_error'],
  ])('answers %s (HTTP %i from Bedrock) with an OpenAI-shaped %i', async (name, from, status, type, code) => {
    bedrock.answer(() => bedrockError(name, from, 'What Bedrock said'));
    const res = await gw.post(ask, { authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({
      error: {
        message: expect.stringContaining(`${name}: What Bedrock said`),
        type,
        param: code === 'model_not_found' ? 'model' : null,
        code,
      },
    });
    expect(res.headers.get('x-ratelimit-remaining-tokens')).toBe('100000');
  });

  it("keeps the retry advice Bedrock sends with its throttling, for the client's SDK", async () => {
    bedrock.answer(() => bedrockError('ThrottlingException', 429, 'Slow down.', { 'retry-after': '3' }));
    const res = await gw.post(ask, { authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_rate_limited');
  });

  it("tells Bedrock's throttling apart from the team's own budget", async () => {
    bedrock.answer(() =>
      bedrockError('ThrottlingException', 429, 'Too many requests, please wait before trying again.'),
    );
    const upstream = await gw
      .client(KEY)
      .chat.completions.create(ask)
      .catch((e: unknown) => e);
    expect(upstream).toBeInstanceOf(OpenAI.RateLimitError);
    expect(upstream).toMatchObject({ code: 'upstream_rate_limited' });
    expect((upstream as Error).message).toContain("This is the upstream's limit, not your tollgate budget.");

    bedrock.answer(() => converseReply('A very long answer.', { inputTokens: 10, outputTokens: 99_990 }));
    await gw.client(KEY).chat.completions.create(ask);
    const budget = await gw
      .client(KEY)
      .chat.completions.create(ask)
      .catch((e: unknown) => e);
    expect(budget).toBeInstanceOf(OpenAI.RateLimitError);
    expect(budget).toMatchObject({ code: 'rate_limit_exceeded' });
    expect((budget as Error).message).toContain('consumer group: team');
  });
});
