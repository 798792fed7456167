// The 429 a spent budget gets: seed 003's body, plus the retry headers the OpenAI SDK reads.
import type { Decision } from '../../policies/rate-limit/index.js';
import { GatewayError } from './errors.js';
import { windowHeaderNames } from './rate-limit-headers.js';

/** The OpenAI SDK ignores waits longer than this and retries at once: tell it not to. */
const SDK_MAX_WAIT_MS = 60_000;

export function rateLimitRefusal(group: string, decision: Extract<Decision, { admitted: false }>): GatewayError {
  const { spec } = decision.check;
  const details = { consumer_group: group, limit: spec.name, limit_value: spec.limit };
  if (decision.neverFits) {
    return new GatewayError(
      429,
      'rate_limit_error',
      'rate_limit_exceeded',
      `Request too large for consumer group: ${group} on ${spec.name}: limit ${spec.limit}, requested at least ${decision.needed}. Reduce the prompt or max_tokens; retrying will not help.`,
      { details: { ...details, retry_after_seconds: null }, headers: { 'x-should-retry': 'false' } },
    );
  }
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  const headers: Record<string, string> = {
    'retry-after': String(seconds),
    'retry-after-ms': String(Math.max(1, Math.ceil(decision.retryAfterMs))),
  };
  const window = windowHeaderNames(spec);
  if (window) {
    // Kong's 429 headers for a window, besides the OpenAI-style ones.
    headers[window.retryAfter] = String(seconds);
    headers[window.reset] = String(seconds);
    if (spec.unit === 'tokens') {
      headers['X-AI-RateLimit-Retry-After'] = String(seconds);
      headers['X-AI-RateLimit-Reset'] = String(seconds);
    }
  }
  // A minute window's wait can reach 61 s (a bucket's granularity): only longer windows say "don't".
  if (decision.retryAfterMs > SDK_MAX_WAIT_MS && spec.windowMs > 60_000) headers['x-should-retry'] = 'false';
  const message =
    spec.unit === 'quota'
      ? `Quota ${spec.quota} exceeded for consumer group: ${group}`
      : window && spec.unit === 'tokens' && spec.provider
        ? `AI token rate limit exceeded for provider(s): ${spec.provider}`
        : `Rate limit exceeded for consumer group: ${group}`;
  return new GatewayError(429, 'rate_limit_error', 'rate_limit_exceeded', message, {
    details: { ...details, retry_after_seconds: seconds },
    headers,
  });
}
