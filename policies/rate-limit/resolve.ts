// Precedence (Kong's "first group's settings apply"): each setting comes from the consumer, else its
// first group that sets it, else the defaults; and each limit says whose bucket it counts in.
import { type NamedLimits, namedLimitSpecs } from './limits.js';
import { type QuotaSettings, quotaSpecs } from './quotas.js';
import type { LimitCheck } from './types.js';
import { type WindowSetting, type WindowType, windowSpecs } from './windows.js';

export interface RateLimitSettings extends NamedLimits {
  /** How the named limits above count: sliding (default) or fixed windows. */
  readonly window_type?: WindowType | undefined;
  readonly windows?: readonly WindowSetting[] | undefined;
  readonly quotas?: QuotaSettings | undefined;
}

export interface GroupSettings {
  readonly name: string;
  /** The whole group draws from one bucket, instead of one per consumer. */
  readonly shared: boolean;
  readonly rate_limits?: RateLimitSettings | undefined;
}

/** Where a caller's settings come from, highest precedence first. */
export interface SettingSources {
  /** The caller's own settings (a consumer's), if any. */
  readonly own?: RateLimitSettings | undefined;
  /** Its groups, in the consumer's listed order. */
  readonly groups: readonly GroupSettings[];
  readonly defaults: RateLimitSettings;
}

const NAMED = ['requests_per_minute', 'tokens_per_minute', 'tokens_per_day'] as const;

/**
 * The caller's limits bound to their counters. Limits the caller owns (its own, a non-shared
 * group's, the defaults') count in `callerBucket`; a shared group's count in `group:<name>`.
 */
export function resolveChecks(sources: SettingSources, callerBucket: string): LimitCheck[] {
  const chain = precedence(sources, callerBucket);

  const checks: LimitCheck[] = [];
  for (const name of NAMED) {
    const from = chain.find((s) => s.settings[name] !== undefined);
    if (!from) continue;
    for (const spec of namedLimitSpecs({ [name]: from.settings[name] }, from.settings.window_type)) {
      checks.push({ key: `${from.bucket}:${spec.name}`, spec });
    }
  }
  const windows = chain.find((s) => s.settings.windows !== undefined);
  for (const w of windows?.settings.windows ?? []) {
    for (const spec of windowSpecs(w)) checks.push({ key: `${windows!.bucket}:${spec.name}`, spec });
  }
  return checks;
}

type Source = { readonly settings: RateLimitSettings; readonly bucket: string };

function precedence(sources: SettingSources, callerBucket: string): Source[] {
  const chain: Source[] = [];
  if (sources.own) chain.push({ settings: sources.own, bucket: callerBucket });
  for (const g of sources.groups) {
    if (g.rate_limits) chain.push({ settings: g.rate_limits, bucket: g.shared ? `group:${g.name}` : callerBucket });
  }
  chain.push({ settings: sources.defaults, bucket: callerBucket });
  return chain;
}

/** The caller's quotas, taken as a whole from the first source that sets any (like windows). */
export function resolveQuotaChecks(sources: SettingSources, callerBucket: string): LimitCheck[] {
  const from = precedence(sources, callerBucket).find((s) => s.settings.quotas !== undefined);
  return quotaSpecs(from?.settings.quotas ?? {}).map((spec) => ({ key: `${from!.bucket}:${spec.name}`, spec }));
}

/** The checks that apply to a call to `targetId`: provider-scoped windows only for their target. */
export function checksForTarget(checks: readonly LimitCheck[], targetId: string): LimitCheck[] {
  return checks.filter((c) => c.spec.provider === undefined || c.spec.provider === targetId);
}
