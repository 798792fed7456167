// The start-up and lint summary, in the spirit of seed 003: groups, their limits, the default.
import { type NamedLimits, periodName } from '../../policies/rate-limit/index.js';
import type { Policy, RuntimeConfig } from '../config/compile.js';

/** Past this many, the summary names the first groups and counts the rest. */
const LISTED = 20;

function short(n: number): string {
  if (n >= 1_000_000 && n % 100_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 100 === 0) return `${n / 1_000}k`;
  return String(n);
}

export function describeLimits(limits: NamedLimits): string {
  const parts: string[] = [];
  if (limits.requests_per_minute !== undefined) parts.push(`${short(limits.requests_per_minute)}rpm`);
  if (limits.tokens_per_minute !== undefined) parts.push(`${short(limits.tokens_per_minute)}-tpm`);
  if (limits.tokens_per_day !== undefined) parts.push(`${short(limits.tokens_per_day)}-tpd`);
  return parts.length ? parts.join('/') : 'unlimited';
}

/** The named limits, then windows (`500-tokens/minute@bedrock`) and quotas (`Videos 10/minute`). */
export function describePolicy(policy: Policy): string {
  const parts = [describeLimits(policy.limits)].filter((p) => p !== 'unlimited');
  for (const spec of policy.specs) {
    const period = periodName(spec.windowMs / 1000);
    if (spec.unit === 'quota') parts.push(`${spec.quota} ${short(spec.limit)}/${period}`);
    else if (!(spec.name in policy.limits)) {
      parts.push(`${short(spec.limit)}-${spec.unit}/${period}${spec.provider ? `@${spec.provider}` : ''}`);
    }
  }
  return parts.length ? parts.join('/') : 'unlimited';
}

export function summaryLines(config: RuntimeConfig): string[] {
  const listed = config.groups.slice(0, LISTED).map((g) => `${g.group}=${describePolicy(g)}`);
  if (config.groups.length > LISTED) listed.push(`and ${config.groups.length - LISTED} more`);
  const lines = [`Loaded ${config.groups.length} consumer group(s)`, `Rate limits: ${listed.join(', ') || 'none'}`];
  if (config.consumers.length > 0) lines.push(`Loaded ${config.consumers.length} consumer(s)`);
  const refused = config.anonymous === 'deny' ? ' (requests without a known key are refused)' : '';
  lines.push(`Default rate limit: ${describePolicy(config.defaults)}${refused}`);
  return lines;
}
