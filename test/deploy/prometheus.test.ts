// promtool accepts what GET /metrics serves and the shipped alert rules, whose unit tests pass; the rules use real metrics.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../lint/cli.js';
import { metricNames, namesIn, scrapedExposition } from './exposition-names.js';

const promtool = spawnSync('promtool', ['--version']).error === undefined;
if (!promtool && process.env.CI) throw new Error("CI runs the promtool checks: install Debian's prometheus package");
const ALERTS = join(ROOT, 'deploy/prometheus/alerts.yaml');

let exposition: string;
beforeAll(async () => {
  exposition = await scrapedExposition();
});

describe.skipIf(!promtool)('promtool', () => {
  it('check metrics finds no problem in the exposition, with the process metrics on', () => {
    expect(exposition).toContain('nodejs_active_handles');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('check rules accepts deploy/prometheus/alerts.yaml', () => {
    const check = spawnSync('promtool', ['check', 'rules', ALERTS], { encoding: 'utf8' });
    expect(check.stdout).toContain('SUCCESS: 5 rules found');
    expect(check.status).toBe(0);
  });

  it("test rules: each alert fires when it should (the rules' unit tests)", () => {
    const test = spawnSync('promtool', ['test', 'rules', join(ROOT, 'deploy/prometheus/alerts.test.yaml')], {
      encoding: 'utf8',
    });
    expect(test.stdout + test.stderr).toContain('SUCCESS');
    expect(test.status).toBe(0);
  });
});

describe('the alert rules', () => {
  it("cover the issue's cases and use only metrics the gateway exposes", () => {
    const rules = (
      parse(readFileSync(ALERTS, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }
    ).groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual([
      'TollgateGroupNearDayBudget',
      'TollgateHighRefusalRate',
      'TollgateUpstreamErrors',
      'TollgateStoreOutage',
      'TollgateEventLoopDelay',
    ]);
    const known = metricNames(exposition);
    for (const rule of rules)
      for (const name of namesIn(rule.expr)) expect(known, `${rule.alert}: ${name}`).toContain(name);
  });
});
