import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import { checksFor, namedLimitSpecs } from './limits.js';
import type { Demand, WindowState } from './types.js';
import { add, resetAt, usedIn, waitFor } from './window.js';

const NOW = Date.UTC(2026, 3, 23, 10, 30, 15);
const demand = (promptTokens: number, desiredOutput = 100, minOutput = 16): Demand => ({
  promptTokens,
  desiredOutput,
  minOutput,
});

function fixture(limits: Parameters<typeof namedLimitSpecs>[0], usage: number[]) {
  const checks = checksFor('group:t', namedLimitSpecs(limits));
  const states: WindowState[] = checks.map((c, i) => {
    const s: WindowState = [];
    if (usage[i]) add(c.spec, s, NOW - 15_000, usage[i]);
    return s;
  });
  return { checks, states };
}

describe('decide', () => {
  const cases: Array<{
    name: string;
    limits: Parameters<typeof namedLimitSpecs>[0];
    usage: number[];
    demand: Demand;
    expect: { admitted: true; outputAllowance: number } | { admitted: false; limit: string; neverFits?: boolean };
  }> = [
    {
      name: 'admits with the full allowance when far from every limit',
      limits: { requests_per_minute: 60, tokens_per_minute: 100_000 },
      usage: [0, 0],
      demand: demand(10, 100),
      expect: { admitted: true, outputAllowance: 100 },
    },
    {
      name: 'refuses on requests_per_minute when the window holds the limit',
      limits: { requests_per_minute: 20, tokens_per_minute: 50_000 },
      usage: [20, 200],
      demand: demand(10),
      expect: { admitted: false, limit: 'requests_per_minute' },
    },
    {
      name: 'caps the allowance at what the tightest token limit leaves',
      limits: { tokens_per_minute: 1_000, tokens_per_day: 100_000 },
      usage: [900, 0],
      demand: demand(30, 500),
      expect: { admitted: true, outputAllowance: 70 },
    },
    {
      name: 'refuses when even the minimum output does not fit',
      limits: { tokens_per_minute: 1_000 },
      usage: [980],
      demand: demand(10, 500, 16),
      expect: { admitted: false, limit: 'tokens_per_minute' },
    },
    {
      name: 'admits a small explicit max below the minimum output when it fits',
      limits: { tokens_per_minute: 1_000 },
      usage: [980],
      demand: demand(10, 5, 16),
      expect: { admitted: true, outputAllowance: 5 },
    },
    {
      name: 'says never when the prompt alone exceeds the limit',
      limits: { tokens_per_minute: 100 },
      usage: [0],
      demand: demand(500),
      expect: { admitted: false, limit: 'tokens_per_minute', neverFits: true },
    },
    {
      name: 'reports the limit with the longest wait when several refuse',
      limits: { requests_per_minute: 1, tokens_per_day: 1_000 },
      usage: [1, 1_000],
      demand: demand(10),
      expect: { admitted: false, limit: 'tokens_per_day' },
    },
    {
      name: 'does not limit what is not configured',
      limits: {},
      usage: [],
      demand: demand(10_000, 4_096),
      expect: { admitted: true, outputAllowance: 4_096 },
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const { checks, states } = fixture(c.limits, c.usage);
      const d = decide(checks, states, c.demand, NOW);
      expect(d.admitted).toBe(c.expect.admitted);
      if (d.admitted && c.expect.admitted) expect(d.outputAllowance).toBe(c.expect.outputAllowance);
      if (!d.admitted && !c.expect.admitted) {
        expect(d.check.spec.name).toBe(c.expect.limit);
        expect(d.neverFits).toBe(c.expect.neverFits ?? false);
      }
    });
  }
});

describe('sliding window', () => {
  const [spec] = namedLimitSpecs({ requests_per_minute: 2 });
  if (!spec) throw new Error('spec');

  it('holds usage for the window plus at most one bucket, then frees it', () => {
    const state: WindowState = [];
    add(spec, state, NOW, 1);
    expect(usedIn(spec, state, NOW + 60_000)).toBe(1);
    expect(usedIn(spec, state, NOW + 61_000)).toBe(0);
  });

  it('waits until enough of the oldest usage leaves the window', () => {
    const state: WindowState = [];
    add(spec, state, NOW - 15_000, 1);
    add(spec, state, NOW - 5_000, 1);
    expect(waitFor(spec, state, NOW, 1)).toBe(46_000);
    expect(waitFor(spec, state, NOW, 2)).toBe(56_000);
    expect(resetAt(spec, state, NOW)).toBe(NOW + 56_000);
  });
});
