// The start-up and lint summary, in the spirit of seed 003: groups, their limits, the default.
import type { NamedLimits } from '../../policies/rate-limit/index.js';
import type { RuntimeConfig } from '../config/compile.js';

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

export function summaryLines(config: RuntimeConfig): string[] {
  return [
    `Loaded ${config.groups.length} consumer group(s)`,
    `Rate limits: ${config.groups.map((g) => `${g.group}=${describeLimits(g.limits)}`).join(', ') || 'none'}`,
    `Default rate limit: ${describeLimits(config.defaults.limits)}${config.anonymous === 'deny' ? ' (requests without a known key are refused)' : ''}`,
  ];
}
