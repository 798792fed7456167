// Who a request counts against: the first header with a known key wins, and callers without one are
// counted per address, IPv6 ones per network.
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../src/config/load.js';
import { SEED_ENV } from './helpers/configs.js';
import { gatewaysWith, hello, type TestGateway, tokenizer } from './helpers/gateway.js';
import { num, TEAM_KEY, type TeamOptions, teamConfig } from './helpers/team.js';
import { fakeOpenAI } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const gateway = gatewaysWith(upstream);
const start = (options: TeamOptions = {}): Promise<TestGateway> => gateway(teamConfig(options), { env: SEED_ENV });
/** The team gets 100 requests a minute, callers without a known key 10. */
const limitOf = (res: Response) => num(res, 'X-RateLimit-Limit-Requests');

describe('the first header with a known key wins', () => {
  it.each([
    ['Authorization', { Authorization: `Bearer ${TEAM_KEY}` }],
    ['apikey', { apikey: TEAM_KEY }],
    ['x-api-key', { 'x-api-key': TEAM_KEY }],
  ])('an unknown X-Consumer-Group does not shadow a valid key in %s', async (_name, keyHeader) => {
    const g = await start();
    expect(limitOf(await g.post(hello(), { 'X-Consumer-Group': 'kt_stale_value', ...keyHeader }))).toBe(100);
    expect(limitOf(await g.post(hello(), keyHeader))).toBe(100);
  });

  it('lets the OpenAI SDK through when something adds a stale X-Consumer-Group, even with anonymous: deny', async () => {
    const g = await start({ defaults: { anonymous: 'deny', requests_per_minute: 10 } });
    const { response } = await g
      .client(TEAM_KEY, { defaultHeaders: { 'X-Consumer-Group': 'kt_old_team_key', apikey: 'kt_other' } })
      .chat.completions.create(hello())
      .withResponse();
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('100');
  });
});

describe('callers without a known key over IPv6', () => {
  const from = (g: TestGateway, address: string) => g.post(hello(), { 'X-Forwarded-For': address });

  it('share one default budget per /64, however many of its addresses they use', async () => {
    const g = await start({ server: { trust_proxy: true } });
    for (let i = 1; i <= 10; i++) expect((await from(g, `2001:db8:5:6::${i.toString(16)}`)).status).toBe(200);
    expect((await from(g, '2001:db8:5:6:ffff:eeee:dddd:cccc')).status).toBe(429);
    const neighbour = await from(g, '2001:db8:5:7::1');
    expect(neighbour.status).toBe(200);
    expect(num(neighbour, 'X-RateLimit-Remaining-Requests')).toBe(9);
  });

  it('are counted per address with ipv6_prefix: 128', async () => {
    const g = await start({ server: { trust_proxy: true }, defaults: { requests_per_minute: 10, ipv6_prefix: 128 } });
    await from(g, '2001:db8:5:6::1');
    expect(num(await from(g, '2001:db8:5:6::2'), 'X-RateLimit-Remaining-Requests')).toBe(9);
  });

  it('count an IPv4-mapped address as the IPv4 address it is', async () => {
    const g = await start({ server: { trust_proxy: true } });
    await from(g, '::ffff:198.51.100.7');
    expect(num(await from(g, '198.51.100.7'), 'X-RateLimit-Remaining-Requests')).toBe(8);
    expect(num(await from(g, '198.51.100.8'), 'X-RateLimit-Remaining-Requests')).toBe(9);
  });

  it('refuses an ipv6_prefix that is not a prefix length, where lint shows it', () => {
    for (const bad of [0, 129, 64.5]) {
      const loaded = loadConfigText('policy.yaml', teamConfig({ defaults: { ipv6_prefix: bad } }), {
        env: SEED_ENV,
        tokenizer,
        now: () => 0,
      });
      expect(loaded.runtime, String(bad)).toBeUndefined();
      expect(loaded.issues.map((i) => i.path)).toContain('rate_limit_defaults.ipv6_prefix');
    }
  });
});
