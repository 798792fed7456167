// The pure budget engine: limits → checks → decision; no I/O and no clock reads.
export * from './types.js';
export { decide } from './decide.js';
export { checksFor, namedLimitSpecs, slidingSpec, type NamedLimits } from './limits.js';
export { add, adjust, prune, resetAt, usedIn, waitFor } from './window.js';
