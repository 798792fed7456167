// The upstream's own 429 through the real OpenAI SDK: its own code, and the upstream's retry advice obeyed.
// A socket upstream rather than msw: msw would intercept the SDK's own calls, and its retries with them.
import OpenAI from 'openai';
import { afterEach, expect, it } from 'vitest';
import { SEED_ENV } from './helpers/configs.js';
import { hello, startGateway, type TestGateway } from './helpers/gateway.js';
import { localUpstream } from './helpers/local-upstream.js';
import { TEAM_KEY, teamConfig } from './helpers/team.js';
import { completion } from './helpers/upstream.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

/** A gateway in front of an upstream that answers each call with the next of `answers`. */
async function gatewayBefore(
  answers: Array<{ status: number; body: unknown; headers?: Record<string, string> }>,
): Promise<{ g: TestGateway; calls: () => number }> {
  let calls = 0;
  const up = await localUpstream((_req, res) => {
    const answer = answers[Math.min(calls++, answers.length - 1)]!;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body));
  });
  open.push(up);
  const g = await startGateway(teamConfig({ target: { base_url: up.baseUrl } }), { env: SEED_ENV });
  open.push(g);
  return { g, calls: () => calls };
}

it('is retried by the SDK after the wait the upstream asked for, and only the answer is charged', async () => {
  const slowDown = { error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' } };
  const { g, calls } = await gatewayBefore([
    // Were retry-after-ms lost, the SDK would sleep retry-after's 30 s and the test time out.
    { status: 429, body: slowDown, headers: { 'retry-after-ms': '20', 'retry-after': '30' } },
    { status: 200, body: completion('after the wait', { prompt_tokens: 8, completion_tokens: 2 }) },
  ]);
  const { data, response } = await g
    .client(TEAM_KEY, { maxRetries: 1 })
    .chat.completions.create(hello())
    .withResponse();
  expect(data.choices[0]?.message.content).toBe('after the wait');
  expect(calls()).toBe(2);
  expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('99');
});

it('is not retried when it is a spent quota, and never reads as the budget', async () => {
  const quota = {
    error: { message: 'You exceeded your current quota.', type: 'insufficient_quota', code: 'insufficient_quota' },
  };
  const { g, calls } = await gatewayBefore([{ status: 429, body: quota }]);
  const err = await g
    .client(TEAM_KEY, { maxRetries: 2 })
    .chat.completions.create(hello())
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OpenAI.RateLimitError);
  expect(err).toMatchObject({
    code: 'upstream_rate_limited',
    error: { details: { target: 'openai', upstream_code: 'insufficient_quota' } },
  });
  expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('x-should-retry')).toBe('false');
  expect(calls()).toBe(1);
});
