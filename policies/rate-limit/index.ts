// The pure budget engine: limits → checks → decision; no I/O and no clock reads.

export { decide } from './decide.js';
export { checksFor, type NamedLimits, namedLimitSpecs } from './limits.js';
export { parseQuotaUsage, QUOTA_PERIODS, type QuotaPeriod, type QuotaSettings, quotaSpecs } from './quotas.js';
export {
  checksForTarget,
  type GroupSettings,
  type RateLimitSettings,
  resolveChecks,
  resolveQuotaChecks,
  type SettingSources,
} from './resolve.js';
export * from './types.js';
export { add, adjust, lastUseBound, prune, resetAt, usedIn, waitFor } from './window.js';
export { periodName, type WindowSetting, type WindowType, windowSpec, windowSpecs } from './windows.js';
