// Window arithmetic over bucketed counters: what is used now, when it frees, where to add.
import type { Bucket, LimitSpec, WindowState } from './types.js';

export function bucketStart(spec: LimitSpec, now: number): number {
  return now - (now % spec.bucketMs);
}

/**
 * When a bucket stops counting. A sliding window keeps a bucket until its latest usage has left
 * the window: never earlier than an exact rolling window, at most one bucket later, and never more
 * than one window after now (so a wait never exceeds the window).
 */
export function expiresAt(spec: LimitSpec, bucket: Bucket): number {
  return spec.sliding ? bucket.last + spec.windowMs : bucket.start + spec.windowMs;
}

/**
 * The latest time usage in a bucket can have been added, for buckets whose own time was not kept
 * (restored from a state file, written back after an outage): all of it was spent by `now`.
 */
export function lastUseBound(spec: LimitSpec, start: number, now: number): number {
  return Math.min(start + spec.bucketMs - 1, now);
}

/** Drops buckets that no longer count; returns the live ones (same array, mutated). */
export function prune(spec: LimitSpec, state: WindowState, now: number): WindowState {
  let drop = 0;
  while (drop < state.length && expiresAt(spec, state[drop]!) <= now) drop++;
  if (drop > 0) state.splice(0, drop);
  return state;
}

export function usedIn(spec: LimitSpec, state: WindowState, now: number): number {
  let used = 0;
  for (const b of state) if (expiresAt(spec, b) > now) used += b.amount;
  return used;
}

/** Milliseconds until `need` more units fit under the limit; Infinity when they never can. */
export function waitFor(spec: LimitSpec, state: WindowState, now: number, need: number): number {
  if (need > spec.limit) return Number.POSITIVE_INFINITY;
  let used = usedIn(spec, state, now);
  for (const b of state) {
    const expiry = expiresAt(spec, b);
    if (expiry <= now) continue;
    if (used + need <= spec.limit) break;
    used -= b.amount;
    if (used + need <= spec.limit) return expiry - now;
  }
  return 0;
}

/** When everything counted now will have left the window; `now` for an empty window. */
export function resetAt(spec: LimitSpec, state: WindowState, now: number): number {
  for (let i = state.length - 1; i >= 0; i--) {
    const b = state[i]!;
    if (b.amount > 0 && expiresAt(spec, b) > now) return expiresAt(spec, b);
  }
  return now;
}

/** Adds usage to the bucket of `now` and returns that bucket's start. */
export function add(spec: LimitSpec, state: WindowState, now: number, amount: number): number {
  const start = bucketStart(spec, now);
  const newest = state[state.length - 1];
  if (newest && newest.start === start) {
    newest.amount += amount;
    newest.last = Math.max(newest.last, now);
  } else state.push({ start, amount, last: now });
  return start;
}

/** Corrects usage already recorded in bucket `start`; a bucket that has expired is left alone. */
export function adjust(state: WindowState, start: number, delta: number): void {
  for (let i = state.length - 1; i >= 0; i--) {
    const b = state[i]!;
    if (b.start === start) {
      b.amount = Math.max(0, b.amount + delta);
      return;
    }
    if (b.start < start) return;
  }
}
