// Kong-style windows (`{seconds, requests | tokens, provider?, window_type?}`) as window specs.
import type { LimitSpec, Unit } from './types.js';

export type WindowType = 'sliding' | 'fixed';

export interface WindowSetting {
  readonly seconds: number;
  readonly requests?: number | undefined;
  readonly tokens?: number | undefined;
  /** Counts only traffic to the provider target with this id. */
  readonly provider?: string | undefined;
  readonly window_type?: WindowType | undefined;
}

/** Sliding windows are counted in 60 buckets: usage is held at most 1/60 of a window longer. */
const BUCKETS_PER_WINDOW = 60;

const PERIODS: ReadonlyArray<readonly [number, string]> = [
  [1, 'second'],
  [60, 'minute'],
  [3_600, 'hour'],
  [86_400, 'day'],
  [2_592_000, 'month'],
];

/** Kong's period names: second/minute/hour/day/month (a month is 30 days), else the seconds. */
export function periodName(seconds: number): string {
  return PERIODS.find(([s]) => s === seconds)?.[1] ?? String(seconds);
}

export function windowSpec(
  name: string,
  unit: Unit,
  limit: number,
  windowMs: number,
  type: WindowType = 'sliding',
  provider?: string,
): LimitSpec {
  const sliding = type === 'sliding';
  const bucketMs = sliding ? Math.max(1, Math.floor(windowMs / BUCKETS_PER_WINDOW)) : windowMs;
  return provider === undefined
    ? { name, unit, limit, windowMs, bucketMs, sliding }
    : { name, unit, limit, windowMs, bucketMs, sliding, provider };
}

/** One spec per limit of a window entry (an entry may limit both requests and tokens). */
export function windowSpecs(window: WindowSetting): LimitSpec[] {
  const specs: LimitSpec[] = [];
  // Always scoped, so a window never shares a name (or a counter) with the named limits, nor a fixed
  // window with a sliding one of the same size.
  const type = window.window_type === 'fixed' ? ':fixed' : '';
  const suffix = `${periodName(window.seconds)}@${window.provider ?? 'all'}${type}`;
  for (const unit of ['requests', 'tokens'] as const) {
    const limit = window[unit];
    if (limit === undefined) continue;
    specs.push(
      windowSpec(`${unit}_per_${suffix}`, unit, limit, window.seconds * 1000, window.window_type, window.provider),
    );
  }
  return specs;
}
