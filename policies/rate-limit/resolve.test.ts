import { describe, expect, it } from 'vitest';
import { checksForTarget, type GroupSettings, resolveChecks } from './resolve.js';
import { periodName } from './windows.js';

const gold: GroupSettings = {
  name: 'gold',
  shared: false,
  rate_limits: { requests_per_minute: 100, tokens_per_day: 1_000_000 },
};
const silver: GroupSettings = {
  name: 'silver',
  shared: true,
  rate_limits: { requests_per_minute: 10, tokens_per_minute: 5_000 },
};
const defaults = { requests_per_minute: 1, tokens_per_minute: 100, tokens_per_day: 1_000 };

const summary = (checks: ReturnType<typeof resolveChecks>) =>
  Object.fromEntries(checks.map((c) => [c.spec.name, `${c.spec.limit}@${c.key.slice(0, c.key.lastIndexOf(':'))}`]));

describe('resolveChecks', () => {
  const cases = [
    {
      name: "a consumer's own setting wins over its groups and the defaults",
      own: { requests_per_minute: 7 },
      groups: [gold, silver],
      expect: {
        requests_per_minute: '7@consumer:ann',
        tokens_per_minute: '5000@group:silver',
        tokens_per_day: '1000000@consumer:ann',
      },
    },
    {
      name: 'the first group that sets a limit wins (Kong: only the first group applies)',
      own: undefined,
      groups: [silver, gold],
      expect: {
        requests_per_minute: '10@group:silver',
        tokens_per_minute: '5000@group:silver',
        tokens_per_day: '1000000@consumer:ann',
      },
    },
    {
      name: 'the defaults fill what no consumer or group sets, counted per consumer',
      own: undefined,
      groups: [],
      expect: {
        requests_per_minute: '1@consumer:ann',
        tokens_per_minute: '100@consumer:ann',
        tokens_per_day: '1000@consumer:ann',
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(summary(resolveChecks({ own: c.own, groups: c.groups, defaults }, 'consumer:ann'))).toEqual(c.expect);
    });
  }

  it('takes windows as a whole from the first source that has any, with provider and type', () => {
    const checks = resolveChecks(
      {
        own: { windows: [{ seconds: 60, tokens: 500, provider: 'bedrock' }] },
        groups: [
          {
            name: 'g',
            shared: false,
            rate_limits: { windows: [{ seconds: 3600, requests: 9, window_type: 'fixed' }] },
          },
        ],
        defaults: {},
      },
      'consumer:user1',
    );
    expect(checks.map((c) => [c.spec.name, c.spec.limit, c.spec.provider, c.spec.sliding])).toEqual([
      ['tokens_per_minute@bedrock', 500, 'bedrock', true],
    ]);
  });

  it('makes a fixed window one bucket aligned to the window', () => {
    const [check] = resolveChecks(
      { groups: [], defaults: { windows: [{ seconds: 3600, requests: 9, window_type: 'fixed' }] } },
      'b',
    );
    expect(check?.spec).toMatchObject({
      windowMs: 3_600_000,
      bucketMs: 3_600_000,
      sliding: false,
      name: 'requests_per_hour@all:fixed',
    });
  });

  it('applies a provider window only to calls to that provider target', () => {
    const checks = resolveChecks(
      {
        groups: [],
        defaults: { requests_per_minute: 5, windows: [{ seconds: 60, tokens: 500, provider: 'bedrock' }] },
      },
      'b',
    );
    expect(checksForTarget(checks, 'openai').map((c) => c.spec.name)).toEqual(['requests_per_minute']);
    expect(checksForTarget(checks, 'bedrock').map((c) => c.spec.name)).toEqual([
      'requests_per_minute',
      'tokens_per_minute@bedrock',
    ]);
  });
});

describe('periodName', () => {
  it.each([
    [1, 'second'],
    [60, 'minute'],
    [3600, 'hour'],
    [86400, 'day'],
    [2592000, 'month'],
    [90, '90'],
  ])('names a %i-second window %s', (seconds, name) => {
    expect(periodName(seconds)).toBe(name);
  });
});
