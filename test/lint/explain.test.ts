// `tollgate lint --explain`: per caller, the limits in force, where each comes from, and its worst-case overshoot.
import { describe, expect, it } from 'vitest';
import { tempConfig, tollgate } from './cli.js';

const CONFIG = `providers:
  targets:
    - id: mock
      provider: mock
consumer_groups:
  - name: search
    api_key_sha256: 0b7d3a64e8b4dd0c4d1d6f5e1b0a39b5c84e8f3f7c1d2e6a9b8c7d6e5f4a3b2c
    rate_limits:
      tokens_per_minute: 70000
    allowed_models: [gpt-4o-mini]
rate_limit_defaults:
  requests_per_minute: 10
  tokens_per_day: 1000000
budget:
  default_output_tokens: 1024
  min_output_tokens: 128
`;

describe('tollgate lint --explain', () => {
  it('prints effective limits after precedence, the output allowance and the overshoot bound', async () => {
    const { code, stdout } = await tollgate(['lint', '--explain', tempConfig(CONFIG)]);
    expect(code).toBe(0);
    expect(stdout).toContain('or 1024 output tokens when it sets neither (budget.default_output_tokens)');
    expect(stdout).toContain('down to 128 (budget.min_output_tokens)');
    expect(stdout).toContain("the upstream is told to stop at each request's allowance");
    const search = stdout.slice(stdout.indexOf('  search ('), stdout.indexOf('  default ('));
    expect(search).toContain('search (key stored as api_key_sha256)');
    expect(search).toMatch(/requests_per_minute +10 {2}from rate_limit_defaults +never overshot/);
    expect(search).toMatch(
      /tokens_per_minute +70000 {2}set on the group +overshoot ≤ prompt-estimate error × requests in flight \(≤ 10000 in flight at once, 10 admitted per minute\)/,
    );
    expect(search).toMatch(/tokens_per_day +1000000 {2}from rate_limit_defaults/);
    expect(search).toContain('models: gpt-4o-mini');
    const defaults = stdout.slice(stdout.indexOf('  default ('));
    expect(defaults).toContain('default (callers without a known key, counted per client address)');
    expect(defaults).toContain('not limited by: tokens_per_minute');
    expect(defaults).toContain('models: every model a target serves');
  });

  it('says the gateway cannot bound overshoot when upstream output is not capped', async () => {
    const file = tempConfig(`${CONFIG}  cap_upstream_output: false\n`);
    const { stdout } = await tollgate(['lint', '--explain', file]);
    expect(stdout).toContain('the gateway cannot bound how far a token limit is overshot');
    expect(stdout).toMatch(/tokens_per_minute +70000 {2}set on the group +overshoot unbounded/);
  });

  it('includes the explanation in --format json', async () => {
    const { stdout } = await tollgate(['lint', '--explain', '--format', 'json', tempConfig(CONFIG)]);
    const [file] = JSON.parse(stdout).files;
    expect(file.explanation.callers.map((c: { name: string }) => c.name)).toEqual(['search', 'default']);
    expect(file.explanation.callers[0].limits[1]).toMatchObject({
      name: 'tokens_per_minute',
      value: 70000,
      from: 'group',
    });
  });

  it('explains nothing while the file has errors', async () => {
    const { code, stdout } = await tollgate(['lint', '--explain', tempConfig(CONFIG.replace('70000', '-1'))]);
    expect(code).toBe(1);
    expect(stdout).not.toContain('output allowance');
  });
});
