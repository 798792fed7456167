// GET /metrics: valid Prometheus exposition whose counters move with traffic, labels bounded, one registry per app.
import { describe, expect, it } from 'vitest';
import { MAX_GROUPS_SHOWN } from '../../src/server/budget-gauges.js';
import { createMetrics } from '../../src/server/metrics.js';
import { parseExposition, sampleValue } from './exposition.js';
import { ask, ENG, inProcessGateway, MKT, runtimeConfig } from './gateway.js';

async function scrape(gw: ReturnType<typeof inProcessGateway>) {
  const res = await gw.request('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return parseExposition(await res.text());
}

describe('GET /metrics', () => {
  it('serves a parseable exposition with every tollgate metric described before any traffic', async () => {
    const text = await (await inProcessGateway().request('/metrics')).text();
    parseExposition(text);
    for (const name of [
      'tollgate_requests_total',
      'tollgate_tokens_total',
      'tollgate_rate_limited_total',
      'tollgate_upstream_latency_seconds',
      'tollgate_gateway_latency_seconds',
      'tollgate_store_errors_total',
    ])
      expect(text).toContain(`# TYPE ${name} `);
  });

  it('counts requests by group, model, status and outcome, tokens by kind, and 429s by limit', async () => {
    const gw = inProcessGateway();
    for (let i = 0; i < 3; i++) await gw.chat(ask('hi'), MKT);
    await gw.chat(ask('hello there'), ENG);
    await expect.poll(() => gw.events().length).toBe(4);
    const samples = await scrape(gw);
    const mkt = { group: 'marketing', model: 'gpt-4o-mini' };
    expect(sampleValue(samples, 'tollgate_requests_total', { ...mkt, status: '200', outcome: 'ok' })).toBe(2);
    expect(sampleValue(samples, 'tollgate_requests_total', { ...mkt, status: '429', outcome: 'rate_limited' })).toBe(1);
    expect(
      sampleValue(samples, 'tollgate_rate_limited_total', { group: 'marketing', limit: 'requests_per_minute' }),
    ).toBe(1);
    const usage = (group: string, kind: 'prompt_tokens' | 'completion_tokens') =>
      gw
        .events()
        .filter((e) => e.consumer_group === group && e.usage)
        .reduce((sum, e) => sum + (e.usage as Record<string, number>)[kind]!, 0);
    expect(sampleValue(samples, 'tollgate_tokens_total', { ...mkt, kind: 'prompt' })).toBe(
      usage('marketing', 'prompt_tokens'),
    );
    expect(sampleValue(samples, 'tollgate_tokens_total', { ...mkt, kind: 'completion' })).toBe(
      usage('marketing', 'completion_tokens'),
    );
    expect(
      sampleValue(samples, 'tollgate_upstream_latency_seconds_count', { target: 'local', model: 'gpt-4o-mini' }),
    ).toBe(3);
    expect(sampleValue(samples, 'tollgate_refusals_total', { group: 'marketing', reason: 'requests_per_minute' })).toBe(
      1,
    );
    expect(
      sampleValue(samples, 'tollgate_gateway_latency_seconds_count', { group: 'marketing', stream: 'false' }),
    ).toBe(3);
  });

  it('labels a model the config does not name as "other", and never a request id or key', async () => {
    const gw = inProcessGateway();
    await gw.chat(ask('hi', 'made-up-model-123'));
    await expect.poll(() => gw.events().length).toBe(1);
    const samples = await scrape(gw);
    expect(
      sampleValue(samples, 'tollgate_requests_total', { group: 'default', model: 'other', outcome: 'model_not_found' }),
    ).toBe(1);
    const bounded = [
      'group',
      'kind',
      'le',
      'limit',
      'model',
      'operation',
      'outcome',
      'reason',
      'status',
      'stream',
      'target',
    ];
    for (const s of samples.filter((s) => s.name.startsWith('tollgate_')))
      for (const label of Object.keys(s.labels)) expect(bounded).toContain(label);
    expect(JSON.stringify(samples)).not.toContain('made-up-model-123');
  });

  it('keeps one registry per app, so apps built in one process do not share counters', async () => {
    const a = inProcessGateway();
    const b = inProcessGateway();
    await a.chat(ask('hi'), ENG);
    await expect.poll(() => a.events().length).toBe(1);
    expect(sampleValue(await scrape(a), 'tollgate_requests_total', { group: 'engineering' })).toBe(1);
    expect(sampleValue(await scrape(b), 'tollgate_requests_total', { group: 'engineering' })).toBe(0);
  });

  it('counts store errors reported through the metrics the app was given', async () => {
    const metrics = createMetrics(runtimeConfig());
    const gw = inProcessGateway(undefined, { metrics });
    metrics.storeError('reserve');
    metrics.storeError('reserve');
    metrics.storeError('settle');
    const samples = await scrape(gw);
    expect(sampleValue(samples, 'tollgate_store_errors_total', { operation: 'reserve' })).toBe(2);
    expect(sampleValue(samples, 'tollgate_store_errors_total', { operation: 'settle' })).toBe(1);
  });

  it("shows each group's budget per limit, refusals by reason and the store's round trips", async () => {
    const gw = inProcessGateway();
    for (let i = 0; i < 3; i++) await gw.chat(ask('hi'), MKT);
    await gw.chat(ask('hi', 'gpt-4o'), MKT);
    await expect.poll(() => gw.events().length).toBe(4);
    const samples = await scrape(gw);
    const rpm = { group: 'marketing', limit: 'requests_per_minute' };
    expect(sampleValue(samples, 'tollgate_budget_limit', rpm)).toBe(2);
    expect(sampleValue(samples, 'tollgate_budget_used', rpm)).toBe(2);
    expect(sampleValue(samples, 'tollgate_budget_remaining', rpm)).toBe(0);
    const tpm = { group: 'marketing', limit: 'tokens_per_minute' };
    expect(sampleValue(samples, 'tollgate_budget_limit', tpm)).toBe(50_000);
    const used = gw
      .events()
      .reduce((sum, e) => sum + ((e.usage as { total_tokens?: number } | null)?.total_tokens ?? 0), 0);
    expect(sampleValue(samples, 'tollgate_budget_used', tpm)).toBe(used);
    expect(sampleValue(samples, 'tollgate_budget_remaining', tpm)).toBe(50_000 - used);
    expect(sampleValue(samples, 'tollgate_budget_limit', { group: 'engineering', limit: 'tokens_per_day' })).toBe(
      1_000_000,
    );
    // Consumers and client addresses are not labels: only the config's groups are.
    const groups = new Set(samples.filter((s) => s.name === 'tollgate_budget_limit').map((s) => s.labels.group));
    expect([...groups].sort()).toEqual(['engineering', 'marketing', 'research']);
    expect(sampleValue(samples, 'tollgate_refusals_total', { group: 'marketing', reason: 'requests_per_minute' })).toBe(
      1,
    );
    expect(sampleValue(samples, 'tollgate_refusals_total', { group: 'marketing', reason: 'model_not_allowed' })).toBe(
      1,
    );
    // At least one reservation per request that got that far (a refusal near the limit is re-checked exactly).
    expect(sampleValue(samples, 'tollgate_store_seconds_count', { operation: 'reserve' })).toBeGreaterThanOrEqual(3);
    expect(sampleValue(samples, 'tollgate_store_degraded', {})).toBe(0);
    // Two answered calls settled their reservations; the mock reports exact usage, so the error is what was reserved beyond it.
    expect(sampleValue(samples, 'tollgate_reservation_error_tokens_count', {})).toBe(2);
    expect(sampleValue(samples, 'tollgate_reservation_error_tokens_sum', {})).toBeGreaterThan(0);
  });

  it(`shows at most ${MAX_GROUPS_SHOWN} groups' budgets, the ones nearest to a limit`, async () => {
    const count = MAX_GROUPS_SHOWN + 2;
    const groups = Array.from(
      { length: count },
      (_, i) => `  - { name: g${i}, api_key: kt_metrics_group_key_${i}, rate_limits: { requests_per_minute: 10 } }`,
    ).join('\n');
    const yaml = `providers:\n  targets:\n    - { id: local, provider: mock }\nconsumer_groups:\n${groups}\n`;
    const gw = inProcessGateway(yaml);
    // The last group is the only one that used anything: it must be among those shown.
    await gw.chat(ask('hi'), { authorization: `Bearer kt_metrics_group_key_${count - 1}` });
    await expect.poll(() => gw.events().length).toBe(1);
    const samples = (await scrape(gw)).filter((s) => s.name === 'tollgate_budget_used');
    expect(new Set(samples.map((s) => s.labels.group)).size).toBe(MAX_GROUPS_SHOWN);
    expect(sampleValue(samples, 'tollgate_budget_used', { group: `g${count - 1}` })).toBe(1);
  });
});
