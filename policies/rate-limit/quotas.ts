// Kong's response-ratelimiting quotas: named counters per period, incremented after the response
// by what the upstream reports, and checked before the next request.
import type { LimitSpec } from './types.js';

export const QUOTA_PERIODS = ['second', 'minute', 'hour', 'day', 'month'] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];
export type QuotaSettings = Readonly<Record<string, Readonly<Partial<Record<QuotaPeriod, number>>>>>;

const PERIOD_MS: Record<QuotaPeriod, number> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  month: 2_592_000_000,
};

/** One fixed window per quota and period (as Kong counts them); a month is 30 days. */
export function quotaSpecs(quotas: QuotaSettings): LimitSpec[] {
  const specs: LimitSpec[] = [];
  for (const [quota, limits] of Object.entries(quotas)) {
    for (const period of QUOTA_PERIODS) {
      const limit = limits[period];
      if (limit === undefined) continue;
      const windowMs = PERIOD_MS[period];
      specs.push({
        name: `quota:${quota}:${period}`,
        unit: 'quota',
        limit,
        windowMs,
        bucketMs: windowMs,
        sliding: false,
        quota,
      });
    }
  }
  return specs;
}

/** Parses `name=2, other=4` (the upstream's usage header); malformed entries are ignored. */
export function parseQuotaUsage(value: string | null | undefined): Map<string, number> {
  const usage = new Map<string, number>();
  for (const entry of (value ?? '').split(',')) {
    const match = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(entry);
    if (match) usage.set(match[1]!.toLowerCase(), (usage.get(match[1]!.toLowerCase()) ?? 0) + Number(match[2]));
  }
  return usage;
}
