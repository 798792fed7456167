// The 429 a spent budget gets: seed 003's body, plus the retry headers the OpenAI SDK reads.
import type { Decision } from '../../policies/rate-limit/index.js';
import { GatewayError } from './errors.js';

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
  if (decision.retryAfterMs > SDK_MAX_WAIT_MS) headers['x-should-retry'] = 'false';
  return new GatewayError(
    429,
    'rate_limit_error',
    'rate_limit_exceeded',
    `Rate limit exceeded for consumer group: ${group}`,
    {
      details: { ...details, retry_after_seconds: seconds },
      headers,
    },
  );
}
