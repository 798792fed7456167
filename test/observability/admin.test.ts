// The admin API (token-guarded, off by default) and GET /v1/usage (a caller's own budget).
import { describe, expect, it } from 'vitest';
import { ALICE, ask, ENG, inProcessGateway, MKT, observabilityConfig, totalTokens } from './gateway.js';

const TOKEN = 'admin-token-for-tests-0c9f2b';
const ADMIN = { authorization: `Bearer ${TOKEN}` };

interface LimitReport {
  name: string;
  unit: string;
  limit: number;
  counted_per: string;
  used: number;
  remaining: number;
  reset_at: string;
  reset_seconds: number;
}
const byName = (limits: LimitReport[]) => Object.fromEntries(limits.map((l) => [l.name, l]));

describe('admin API auth', () => {
  it('is not served without a configured token', async () => {
    const gw = inProcessGateway();
    const res = await gw.request('/admin/usage', { headers: ADMIN });
    expect(res.status).toBe(404);
  });

  it.each([
    ['a missing token', {}, /needs "Authorization: Bearer/],
    ['a wrong token', { authorization: 'Bearer admin-token-for-tests-0c9f2c' }, /Incorrect admin token/],
    ['a group key instead of the admin token', ENG, /Incorrect admin token/],
    ['a non-bearer scheme', { authorization: `Basic ${TOKEN}` }, /needs "Authorization: Bearer/],
  ])('answers %s with an OpenAI-shaped 401', async (_, headers, message) => {
    const gw = inProcessGateway(undefined, { adminToken: TOKEN });
    for (const path of ['/admin/usage', '/admin/usage/engineering', '/admin/anything']) {
      const res = await gw.request(path, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await res.json()) as { error: { message: string; type: string; code: string } };
      expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_admin_token', param: null });
      expect(body.error.message).toMatch(message);
    }
  });
});

describe('GET /admin/usage', () => {
  it("reports each group's usage and remaining budget per limit, and the per-address defaults as limits only", async () => {
    const gw = inProcessGateway(undefined, { adminToken: TOKEN });
    await gw.chat(ask('hi'), MKT);
    await expect.poll(() => gw.events().length).toBe(1);
    const spent = totalTokens(gw.events()[0]);
    const res = await gw.request('/admin/usage', { headers: ADMIN });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: Array<{ consumer_group: string; consumers: unknown[]; limits: LimitReport[] }>;
      defaults: { counted_per: string; limits: unknown[] };
    };
    expect(body.data.map((g) => g.consumer_group)).toEqual(['engineering', 'marketing', 'research']);
    const marketing = byName(body.data[1]!.limits);
    expect(marketing.requests_per_minute).toMatchObject({ unit: 'requests', limit: 2, used: 1, remaining: 1 });
    expect(marketing.tokens_per_minute).toMatchObject({ limit: 50_000, used: spent, remaining: 50_000 - spent });
    expect(marketing.requests_per_minute?.reset_seconds).toBeGreaterThan(0);
    expect(byName(body.data[0]!.limits).requests_per_minute).toMatchObject({ limit: 5, used: 0, remaining: 5 });
    expect(body.data[0]!.consumers).toEqual([]);
    expect(body.defaults).toMatchObject({ counted_per: 'client_address' });
    expect(body.defaults.limits).toContainEqual({ name: 'requests_per_minute', unit: 'requests', limit: 10 });
  });

  it('reports one group at /admin/usage/{group}, and 404 for a group the config does not have', async () => {
    const gw = inProcessGateway(undefined, { adminToken: TOKEN });
    await gw.chat(ask('hi'), ENG);
    const one = await gw.request('/admin/usage/engineering', { headers: ADMIN });
    expect(one.status).toBe(200);
    const body = (await one.json()) as { consumer_group: string; limits: LimitReport[] };
    expect(body.consumer_group).toBe('engineering');
    expect(byName(body.limits).requests_per_minute).toMatchObject({ used: 1, remaining: 4 });
    const missing = await gw.request('/admin/usage/nobody', { headers: ADMIN });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('group_not_found');
  });

  it("reports a consumer's own limits and its shared group's under the group", async () => {
    const gw = inProcessGateway(undefined, { adminToken: TOKEN });
    await gw.chat(ask('hi'), ALICE);
    await expect.poll(() => gw.events().length).toBe(1);
    const res = await gw.request('/admin/usage/research', { headers: ADMIN });
    const body = (await res.json()) as {
      limits: LimitReport[];
      consumers: Array<{ consumer: string; consumer_group: string; limits: LimitReport[] }>;
    };
    expect(byName(body.limits).requests_per_minute).toMatchObject({ used: 1, remaining: 3 });
    expect(body.consumers).toHaveLength(1);
    expect(body.consumers[0]).toMatchObject({ consumer: 'alice', consumer_group: 'research' });
    const alice = byName(body.consumers[0]!.limits);
    expect(alice.requests_per_minute).toMatchObject({ counted_per: 'consumer_group', used: 1, remaining: 3 });
    expect(alice.tokens_per_minute).toMatchObject({ counted_per: 'consumer', limit: 30_000 });
    expect(alice.tokens_per_minute?.used).toBe(totalTokens(gw.events()[0]));
  });

  it('agrees with what the group sees at /v1/usage', async () => {
    const gw = inProcessGateway(undefined, { adminToken: TOKEN });
    await gw.chat(ask('hello'), ENG);
    await gw.chat(ask('hello again'), ENG);
    const admin = (await (await gw.request('/admin/usage/engineering', { headers: ADMIN })).json()) as {
      limits: LimitReport[];
    };
    const own = (await (await gw.request('/v1/usage', { headers: ENG })).json()) as { limits: LimitReport[] };
    expect(own.limits).toEqual(admin.limits);
  });
});

describe('GET /v1/usage', () => {
  it("shows the caller's own limits, used, remaining and reset, without spending a request", async () => {
    const gw = inProcessGateway();
    await gw.chat(ask('hi'), MKT);
    await expect.poll(() => gw.events().length).toBe(1);
    const spent = totalTokens(gw.events()[0]);
    for (let i = 0; i < 3; i++) await gw.request('/v1/usage', { headers: MKT });
    const res = await gw.request('/v1/usage', { headers: MKT });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { limits: LimitReport[] } & Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'usage',
      consumer_group: 'marketing',
      consumer: null,
      counted_per: 'consumer_group',
      allowed_models: ['gpt-4o-mini'],
    });
    expect(body.limits).toEqual([
      {
        name: 'requests_per_minute',
        unit: 'requests',
        limit: 2,
        counted_per: 'consumer_group',
        used: 1,
        remaining: 1,
        reset_at: expect.stringMatching(/^2026-04-23T10:3\d:\d\d\.\d{3}Z$/),
        reset_seconds: expect.any(Number),
      },
      expect.objectContaining({ name: 'tokens_per_minute', used: spent, remaining: 50_000 - spent }),
    ]);
  });

  it('shows a consumer its own name and which limits its shared group counts', async () => {
    const gw = inProcessGateway();
    await gw.chat(ask('hi'), ALICE);
    const body = (await (await gw.request('/v1/usage', { headers: ALICE })).json()) as {
      limits: LimitReport[];
    } & Record<string, unknown>;
    expect(body).toMatchObject({ consumer_group: 'research', consumer: 'alice', counted_per: 'consumer' });
    expect(byName(body.limits).requests_per_minute).toMatchObject({ counted_per: 'consumer_group', used: 1 });
    expect(byName(body.limits).tokens_per_minute).toMatchObject({ counted_per: 'consumer', limit: 30_000 });
  });

  it('reports the defaults, counted per client address, to a caller without a key', async () => {
    const gw = inProcessGateway();
    const body = (await (await gw.request('/v1/usage')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ consumer_group: 'default', counted_per: 'client_address', allowed_models: null });
  });

  it('answers 401 to an unknown key when anonymous callers are denied', async () => {
    const gw = inProcessGateway(observabilityConfig(undefined, 'deny'));
    const res = await gw.request('/v1/usage', { headers: { authorization: 'Bearer nope-nope-nope' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
  });
});
