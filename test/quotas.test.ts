// Seed 004's upstream-reported quotas through real HTTP: counted from the upstream's header, shown
// to the client, told to the upstream, enforced with a 429, and the usage header never leaked.
import { HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { completion, fakeOpenAI, UPSTREAM } from './helpers/upstream.js';

const upstream = fakeOpenAI();
let gw: TestGateway | undefined;
beforeAll(() => upstream.listen());
afterAll(() => upstream.close());
afterEach(async () => {
  upstream.reset();
  await gw?.close();
});

const config = (header = '') => `
providers:
  targets:
    - { id: openai, provider: openai, base_url: "${UPSTREAM}" }
${header}
consumers:
  - username: ann
    api_key: k-ann-0123456789
    rate_limits:
      quotas:
        Videos: { second: 5, minute: 10 }
  - username: bob
    api_key: k-bob-0123456789
    rate_limits:
      quotas:
        Videos: { second: 5, minute: 10 }
`;
const ask = (g: TestGateway, key = 'k-ann-0123456789') =>
  g.post({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a video, please' }] }, { apikey: key });

function upstreamReports(header: string, value: string): void {
  upstream.answer(() =>
    HttpResponse.json(completion('here', { prompt_tokens: 5, completion_tokens: 1 }), { headers: { [header]: value } }),
  );
}

it('counts what the upstream reports and shows it per quota and period, without leaking the header', async () => {
  gw = await startGateway(config());
  gw.clock.set(Date.UTC(2026, 3, 23, 10, 30, 0, 100));
  upstreamReports('X-Quota-Usage', 'Videos=2, images=4');
  const res = await ask(gw);
  expect(res.status).toBe(200);
  expect(res.headers.get('X-RateLimit-Limit-Videos-Second')).toBe('5');
  expect(res.headers.get('X-RateLimit-Remaining-Videos-Second')).toBe('3');
  expect(res.headers.get('X-RateLimit-Limit-Videos-Minute')).toBe('10');
  expect(res.headers.get('X-RateLimit-Remaining-Videos-Minute')).toBe('8');
  expect(res.headers.get('X-Quota-Usage')).toBeNull();
  expect(upstream.received[0]?.headers.get('X-RateLimit-Remaining-Videos')).toBe('5');

  const second = await ask(gw);
  expect(second.headers.get('X-RateLimit-Remaining-Videos-Second')).toBe('1');
  expect(upstream.received[1]?.headers.get('X-RateLimit-Remaining-Videos')).toBe('3');
});

it('refuses with a 429 naming the quota once a period is spent, until that period ends', async () => {
  gw = await startGateway(config());
  gw.clock.set(Date.UTC(2026, 3, 23, 10, 30, 0, 100));
  upstreamReports('X-Quota-Usage', 'Videos=5');
  expect((await ask(gw)).status).toBe(200);
  const refused = await ask(gw);
  expect(refused.status).toBe(429);
  expect(((await refused.json()) as { error: { message: string; details: { limit: string } } }).error).toMatchObject({
    message: 'Quota Videos exceeded for consumer group: default',
    details: { limit: 'quota:Videos:second' },
  });
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(upstream.received).toHaveLength(1);
  expect((await ask(gw, 'k-bob-0123456789')).status).toBe(200);

  gw.clock.set(Date.UTC(2026, 3, 23, 10, 30, 1));
  const next = await ask(gw);
  expect(next.status).toBe(200);
  expect(next.headers.get('X-RateLimit-Remaining-Videos-Minute')).toBe('0');
  expect((await ask(gw)).status).toBe(429);
});

it('reads the usage header the config names', async () => {
  gw = await startGateway(config('quotas:\n  header: X-Kong-Limit'));
  upstreamReports('X-Kong-Limit', 'videos=3');
  const res = await ask(gw);
  expect(res.headers.get('X-RateLimit-Remaining-Videos-Minute')).toBe('7');
  expect(res.headers.get('X-Kong-Limit')).toBeNull();
});
