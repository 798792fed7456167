// `promtool check metrics` accepts what GET /metrics serves, process metrics included.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/server/metrics.js';
import { ask, ENG, inProcessGateway, runtimeConfig } from './gateway.js';

const promtool = spawnSync('promtool', ['--version']).error === undefined;
if (!promtool && process.env.CI) throw new Error("CI runs the promtool checks: install Debian's prometheus package");

describe.skipIf(!promtool)('promtool', () => {
  it('check metrics finds no problem in the exposition, with the process metrics on', async () => {
    const metrics = createMetrics(runtimeConfig(), { processMetrics: true });
    const gw = inProcessGateway(undefined, { metrics });
    await gw.chat(ask('hi'), ENG);
    await expect.poll(() => gw.events().length).toBe(1);
    const text = await (await gw.request('/metrics')).text();
    expect(text).toContain('nodejs_active_handles');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
