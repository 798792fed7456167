// The pure budget engine: limits → checks → decision; no I/O and no clock reads.

export { decide } from './decide.js';
export { checksFor, type NamedLimits, namedLimitSpecs, slidingSpec } from './limits.js';
export * from './types.js';
export { add, adjust, prune, resetAt, usedIn, waitFor } from './window.js';
