// Small statistics for the bench: percentiles of samples, and median with min–max across rounds.

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when there are none. */
export function percentile(samples: ArrayLike<number>, p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

/** Median and range of per-round values, NaNs (rounds that measured nothing) left out. */
export function spread(values: readonly number[]): Spread {
  const kept = values.filter((v) => Number.isFinite(v));
  if (kept.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: percentile(kept, 50), min: Math.min(...kept), max: Math.max(...kept) };
}
