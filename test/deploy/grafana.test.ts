// deploy/grafana/tollgate.json is a dashboard Grafana imports, and every query names a metric the gateway exposes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROOT } from '../lint/cli.js';
import { metricNames, namesIn, scrapedExposition } from './exposition-names.js';

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template literal
const datasource = z.object({ type: z.literal('prometheus'), uid: z.literal('${datasource}') });
const dashboardSchema = z.object({
  uid: z.string().min(1),
  title: z.string().min(1),
  schemaVersion: z.number().int().min(30),
  time: z.object({ from: z.string(), to: z.string() }),
  templating: z.object({ list: z.array(z.object({ name: z.string(), type: z.string() })) }),
  panels: z
    .array(
      z.object({
        id: z.number().int(),
        type: z.enum(['timeseries', 'bargauge', 'stat', 'gauge', 'table']),
        title: z.string().min(1),
        datasource,
        gridPos: z.object({
          h: z.number().int().positive(),
          w: z.number().int().min(1).max(24),
          x: z.number().int().min(0),
          y: z.number().int().min(0),
        }),
        targets: z.array(z.object({ refId: z.string(), expr: z.string().min(1), datasource })).min(1),
      }),
    )
    .min(1),
});

describe('the Grafana dashboard', () => {
  const dashboard = dashboardSchema.parse(JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/tollgate.json'), 'utf8')));

  it('has the shape Grafana imports: unique panel ids, panels inside the 24-column grid, a data source variable', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    expect(dashboard.templating.list.map((v) => `${v.name}:${v.type}`)).toContain('datasource:datasource');
  });

  it('shows traffic, refusals, budget use per group, upstream latency and store health', () => {
    const queries = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const metric of [
      'tollgate_requests_total',
      'tollgate_refusals_total',
      'tollgate_budget_used',
      'tollgate_upstream_latency_seconds_bucket',
      'tollgate_store_degraded',
      'tollgate_store_seconds_bucket',
    ])
      expect(queries).toContain(metric);
  });

  it('queries only metrics a running gateway exposes', async () => {
    const known = metricNames(await scrapedExposition());
    for (const panel of dashboard.panels)
      for (const target of panel.targets)
        for (const name of namesIn(target.expr)) expect(known, `${panel.title}: ${name}`).toContain(name);
  });
});
