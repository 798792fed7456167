// Compiles named rate limits into window specs, and a caller's specs into counter checks.
import type { LimitCheck, LimitSpec, Unit } from './types.js';
import { type WindowType, windowSpec } from './windows.js';

export interface NamedLimits {
  readonly requests_per_minute?: number | undefined;
  readonly tokens_per_minute?: number | undefined;
  readonly tokens_per_day?: number | undefined;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const NAMED: ReadonlyArray<readonly [keyof NamedLimits, Unit, number]> = [
  ['requests_per_minute', 'requests', MINUTE],
  ['tokens_per_minute', 'tokens', MINUTE],
  ['tokens_per_day', 'tokens', DAY],
];

/** The specs for whichever named limits are set; unset ones do not limit. */
export function namedLimitSpecs(limits: NamedLimits, type: WindowType = 'sliding'): LimitSpec[] {
  const specs: LimitSpec[] = [];
  for (const [name, unit, windowMs] of NAMED) {
    const limit = limits[name];
    if (limit !== undefined) specs.push(windowSpec(name, unit, limit, windowMs, type));
  }
  return specs;
}

/** Binds specs to the counter of one bucket owner (a group, a consumer, a client address). */
export function checksFor(bucketKey: string, specs: readonly LimitSpec[]): LimitCheck[] {
  return specs.map((spec) => ({ key: `${bucketKey}:${spec.name}`, spec }));
}
