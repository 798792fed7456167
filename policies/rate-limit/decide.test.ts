import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import { checksFor, namedLimitSpecs } from './limits.js';
import type { Demand, WindowState } from './types.js';
import { add, resetAt, usedIn, waitFor } from './window.js';
import { windowSpecs } from './windows.js';

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
    expect:
      | { admitted: true; outputAllowance: number }
      | { admitted: false; limit: string; neverFits?: boolean; remaining?: number; outputThatFits?: number };
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
      name: 'says what is left and the largest output that fits now when the minimum output does not',
      limits: { tokens_per_minute: 100_000, tokens_per_day: 1_000 },
      usage: [0, 762],
      demand: demand(38, 4_096, 256),
      expect: { admitted: false, limit: 'tokens_per_day', remaining: 238, outputThatFits: 200 },
    },
    {
      name: 'takes the tightest token limit for the output that fits, whichever limit refuses',
      limits: { tokens_per_minute: 1_000, tokens_per_day: 1_000 },
      usage: [950, 900],
      demand: demand(40, 500, 256),
      expect: { admitted: false, limit: 'tokens_per_day', remaining: 100, outputThatFits: 10 },
    },
    {
      name: 'offers no smaller output when the prompt alone does not fit what is left',
      limits: { tokens_per_day: 1_000 },
      usage: [980],
      demand: demand(30, 500, 16),
      expect: { admitted: false, limit: 'tokens_per_day', remaining: 20, outputThatFits: 0 },
    },
    {
      name: 'offers no smaller output when a request limit refuses too',
      limits: { requests_per_minute: 1, tokens_per_day: 1_000 },
      usage: [1, 900],
      demand: demand(10, 500, 256),
      expect: { admitted: false, limit: 'tokens_per_day', remaining: 100, outputThatFits: 0 },
    },
    {
      name: 'offers a smaller output even when the minimum output can never fit the limit',
      limits: { tokens_per_minute: 300 },
      usage: [0],
      demand: demand(100, 4_096, 256),
      expect: { admitted: false, limit: 'tokens_per_minute', neverFits: true, remaining: 300, outputThatFits: 200 },
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
        if (c.expect.remaining !== undefined) expect(d.remaining).toBe(c.expect.remaining);
        if (c.expect.outputThatFits !== undefined) expect(d.outputThatFits).toBe(c.expect.outputThatFits);
      }
    });
  }
});

describe('sliding window', () => {
  const [spec] = namedLimitSpecs({ requests_per_minute: 2 });
  if (!spec) throw new Error('spec');

  it('holds usage exactly one window after its bucket was last used, then frees it', () => {
    const state: WindowState = [];
    add(spec, state, NOW + 200, 1);
    add(spec, state, NOW + 700, 1);
    expect(usedIn(spec, state, NOW + 60_699)).toBe(2);
    expect(usedIn(spec, state, NOW + 60_700)).toBe(0);
  });

  it('waits until enough of the oldest usage leaves the window', () => {
    const state: WindowState = [];
    add(spec, state, NOW - 15_000, 1);
    add(spec, state, NOW - 5_000, 1);
    expect(waitFor(spec, state, NOW, 1)).toBe(45_000);
    expect(waitFor(spec, state, NOW, 2)).toBe(55_000);
    expect(resetAt(spec, state, NOW)).toBe(NOW + 55_000);
  });

  it('never asks for a wait longer than the window, however the usage falls in its buckets', () => {
    for (const windowMs of [60_000, 86_400_000, 10_000]) {
      const [w] = windowSpecs({ seconds: windowMs / 1000, tokens: 100 });
      if (!w) throw new Error('spec');
      for (const offset of [0, 1, w.bucketMs / 2, w.bucketMs - 1]) {
        const state: WindowState = [];
        add(w, state, NOW + offset, 100);
        expect(waitFor(w, state, NOW + offset, 1), `${windowMs} ms window, +${offset}`).toBe(windowMs);
        expect(resetAt(w, state, NOW + offset) - (NOW + offset)).toBe(windowMs);
      }
    }
  });
});
