// X-RateLimit-* headers from limit snapshots: seed 003's names, OpenAI's resets, and day budgets.
import type { LimitSnapshot } from '../../policies/rate-limit/index.js';

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

const NAMES: Record<string, readonly [limit: string, remaining: string, reset: string]> = {
  requests_per_minute: ['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests'],
  tokens_per_minute: ['x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens', 'x-ratelimit-reset-tokens'],
  tokens_per_day: ['x-ratelimit-limit-tokens-day', 'x-ratelimit-remaining-tokens-day', 'x-ratelimit-reset-tokens-day'],
};

export function rateLimitHeaders(snapshots: readonly LimitSnapshot[], now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  let reset = 0;
  for (const snap of snapshots) {
    const names = NAMES[snap.check.spec.name];
    if (!names) continue;
    headers[names[0]] = String(snap.check.spec.limit);
    headers[names[1]] = String(snap.remaining);
    headers[names[2]] = formatDuration(snap.resetAt - now);
    if (snap.check.spec.windowMs <= 60_000) reset = Math.max(reset, snap.resetAt);
  }
  if (reset > 0) headers['x-ratelimit-reset'] = isoSeconds(Math.max(reset, now));
  return headers;
}
