// X-RateLimit-* headers from limit snapshots: seed 003's names, OpenAI's resets, and day budgets.
import { type LimitSnapshot, type LimitSpec, periodName } from '../../policies/rate-limit/index.js';

/** OpenAI's reset durations: `1s`, `6m0s`, `1h2m3s`. */
export function formatDuration(ms: number): string {
  let s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** An ISO-8601 time without fractions, rounded up to the second. */
export function isoSeconds(ms: number): string {
  return new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const NAMED: Record<string, readonly [limit: string, remaining: string, reset: string]> = {
  requests_per_minute: ['X-RateLimit-Limit-Requests', 'X-RateLimit-Remaining-Requests', 'x-ratelimit-reset-requests'],
  tokens_per_minute: ['X-RateLimit-Limit-Tokens', 'X-RateLimit-Remaining-Tokens', 'x-ratelimit-reset-tokens'],
  tokens_per_day: ['X-RateLimit-Limit-Tokens-Day', 'X-RateLimit-Remaining-Tokens-Day', 'x-ratelimit-reset-tokens-day'],
};

export interface WindowHeaderNames {
  readonly limit: string;
  readonly remaining: string;
  readonly reset: string;
  readonly retryAfter: string;
}

/**
 * Kong's names for a window limit: token windows as ai-rate-limiting-advanced sends them
 * (`X-AI-RateLimit-Limit-minute-bedrock`), request windows as rate-limiting does (`X-RateLimit-Limit-Minute`).
 */
export function windowHeaderNames(spec: LimitSpec): WindowHeaderNames | undefined {
  if (spec.name in NAMED) return undefined;
  const period = periodName(spec.windowMs / 1000);
  if (spec.unit === 'quota') {
    // Seed 004: X-RateLimit-Limit-Videos-Minute, the quota's name as configured.
    const suffix = `${spec.quota}-${period.charAt(0).toUpperCase()}${period.slice(1)}`;
    return {
      limit: `X-RateLimit-Limit-${suffix}`,
      remaining: `X-RateLimit-Remaining-${suffix}`,
      reset: `X-RateLimit-Reset-${suffix}`,
      retryAfter: `X-RateLimit-Retry-After-${suffix}`,
    };
  }
  const provider = spec.provider ? `-${spec.provider}` : '';
  if (spec.unit === 'tokens') {
    const suffix = `${period}${provider}`;
    return {
      limit: `X-AI-RateLimit-Limit-${suffix}`,
      remaining: `X-AI-RateLimit-Remaining-${suffix}`,
      reset: `X-AI-RateLimit-Reset-${suffix}`,
      retryAfter: `X-AI-RateLimit-Retry-After-${suffix}`,
    };
  }
  const suffix = `${period.charAt(0).toUpperCase()}${period.slice(1)}${provider}`;
  return {
    limit: `X-RateLimit-Limit-${suffix}`,
    remaining: `X-RateLimit-Remaining-${suffix}`,
    reset: `X-RateLimit-Reset-${suffix}`,
    retryAfter: `X-RateLimit-Retry-After-${suffix}`,
  };
}

/** Every rate-limit header name these specs can produce, in the casing clients are shown. */
export function headerNamesFor(specs: Iterable<LimitSpec>): string[] {
  const names = ['X-RateLimit-Reset', ...Object.values(NAMED).flatMap((n) => n.slice(0, 2))];
  for (const spec of specs) {
    const w = windowHeaderNames(spec);
    if (w) names.push(w.limit, w.remaining, w.reset, w.retryAfter);
  }
  names.push('X-AI-RateLimit-Reset', 'X-AI-RateLimit-Retry-After');
  return names;
}

export function rateLimitHeaders(snapshots: readonly LimitSnapshot[], now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  let reset = 0;
  for (const snap of snapshots) {
    const { spec } = snap.check;
    const named = NAMED[spec.name];
    if (named) {
      headers[named[0]] = String(spec.limit);
      headers[named[1]] = String(snap.remaining);
      headers[named[2]] = formatDuration(snap.resetAt - now);
      if (spec.windowMs <= 60_000) reset = Math.max(reset, snap.resetAt);
      continue;
    }
    const window = windowHeaderNames(spec);
    if (!window) continue;
    headers[window.limit] = String(spec.limit);
    headers[window.remaining] = String(snap.remaining);
  }
  if (reset > 0) headers['X-RateLimit-Reset'] = isoSeconds(Math.max(reset, now));
  return headers;
}
