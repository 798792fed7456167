// Limit checks: limits that can never admit a request, or that contradict or outweigh each other.
import {
  type EffectiveLimits,
  effectiveLimits,
  SMALL_PROMPT_TOKENS,
  smallestRequest,
  TOKEN_LIMITS,
} from './budget-math.js';
import type { Report } from './check.js';
import type { PathSegment } from './issues.js';
import type { Checkable } from './salvage.js';
import type { RateLimitsConfig } from './schema.js';

/** requests_per_minute × a request's reservation this many times tokens_per_minute: the request limit is moot. */
export const FAR_ABOVE = 10;

export function checkLimits(config: Checkable, report: Report): void {
  const defaults = config.rate_limit_defaults;
  // A part that lost a field to an error may hide the very limit a check would miss: skip it.
  const known = (path: string) => !config.partial.has(path);
  const budgetKnown = known('budget');
  const defaultsKnown = known('rate_limit_defaults');
  const smallest = smallestRequest(config.budget);
  const written: Array<[PathSegment[], RateLimitsConfig]> = [[['rate_limit_defaults'], defaults]];
  config.consumer_groups.forEach((g, i) => {
    if (g?.rate_limits) written.push([['consumer_groups', i, 'rate_limits'], g.rate_limits]);
  });
  // Each value once, where it is written: groups inheriting it are covered by the same finding.
  for (const [at, limits] of budgetKnown ? written : []) {
    for (const name of TOKEN_LIMITS) {
      const value = limits[name];
      if (value === undefined || value >= smallest) continue;
      report.error(
        'limit_below_smallest_request',
        [...at, name],
        `${name} ${value} is smaller than the smallest request it must admit: ${SMALL_PROMPT_TOKENS} prompt tokens + ${smallest - SMALL_PROMPT_TOKENS} output tokens = ${smallest}; every request that does not set a tiny max_tokens is refused`,
        `raise ${name} well above ${smallest}, or lower budget.min_output_tokens`,
      );
    }
  }

  const none = (limits: EffectiveLimits) => Object.values(limits).every((l) => l === undefined);
  if (defaultsKnown) {
    const limits = effectiveLimits(undefined, defaults);
    checkCombination(limits, 'rate_limit_defaults', config, report);
    if (defaults.anonymous === 'allow' && none(limits))
      report.warn(
        'defaults_without_limits',
        ['rate_limit_defaults'],
        'rate_limit_defaults sets no limits and anonymous callers are allowed: anyone who reaches the gateway without a known key is unlimited',
        'set limits in rate_limit_defaults, or `anonymous: deny`',
      );
  }
  config.consumer_groups.forEach((g, i) => {
    if (!g || !defaultsKnown || !known(`consumer_groups[${i}]`)) return;
    const limits = effectiveLimits({ limits: g.rate_limits, path: ['consumer_groups', i, 'rate_limits'] }, defaults);
    checkCombination(limits, `consumer group "${g.name}"`, config, report);
    const extra = g.rate_limits?.windows?.length || g.rate_limits?.quotas || defaults.windows?.length;
    if (none(limits) && !extra)
      report.warn(
        'group_without_limits',
        ['consumer_groups', i, 'name'],
        `consumer group "${g.name}" has no limits at all: its requests and tokens are never counted against anything`,
        'set rate_limits on the group, or limits in rate_limit_defaults that it inherits',
      );
  });
}

/** Checks that involve two limits, reported only where at least one is written for this caller. */
function checkCombination(limits: EffectiveLimits, who: string, config: Checkable, report: Report): void {
  const { requests_per_minute: rpm, tokens_per_minute: tpm, tokens_per_day: tpd } = limits;
  const origin = (l: { inherited: boolean }) => (l.inherited ? ' (inherited from rate_limit_defaults)' : '');
  if (tpm && tpd && tpm.value > tpd.value && !(tpm.inherited && tpd.inherited)) {
    report.warn(
      'minute_above_day',
      tpm.inherited ? tpd.path : tpm.path,
      `tokens_per_minute ${tpm.value}${origin(tpm)} is greater than tokens_per_day ${tpd.value}${origin(tpd)} for ${who}: the day's budget can be spent in one minute, so tokens_per_minute never binds`,
      'tokens_per_minute is usually a small fraction of tokens_per_day',
    );
  }
  if (rpm && tpm && !(rpm.inherited && tpm.inherited) && !config.partial.has('budget')) {
    const perRequest = SMALL_PROMPT_TOKENS + config.budget.default_output_tokens;
    const ratio = (rpm.value * perRequest) / tpm.value;
    if (ratio >= FAR_ABOVE) {
      report.warn(
        'requests_limit_never_binds',
        rpm.inherited ? tpm.path : rpm.path,
        `requests_per_minute ${rpm.value}${origin(rpm)} × ${perRequest} tokens reserved per request (prompt + ${config.budget.default_output_tokens}-token output allowance) is ${Math.round(ratio)}× tokens_per_minute ${tpm.value}${origin(tpm)} for ${who}: the token limit refuses requests long before the request limit can bind`,
        `lower requests_per_minute to about ${Math.max(1, Math.floor(tpm.value / perRequest))}, raise tokens_per_minute, or lower budget.default_output_tokens`,
      );
    }
  }
}
