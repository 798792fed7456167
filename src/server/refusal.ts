// The 429 a spent budget gets: seed 003's body, what is left and what would fit, and retry headers
// that are true for the request as sent.
import { type Decision, type LimitSpec, periodName } from '../../policies/rate-limit/index.js';
import { GatewayError } from './errors.js';
import { isoSeconds, windowHeaderNames } from './rate-limit-headers.js';

/**
 * The longest wait every OpenAI SDK sleeps through and then retries: Node's sleeps whatever it is
 * told, Python's honours up to 60 s (up to 120 s in its newest releases, which do not retry at all
 * past that). Longer waits carry `x-should-retry: false`, which both obey.
 */
export const SDK_MAX_WAIT_MS = 60_000;

type Refusal = Extract<Decision, { admitted: false }>;

/** The refused request's own figures, for token refusals. */
export interface RefusedRequest {
  readonly promptTokens: number;
  /** The request's `n`: its output is reserved once per choice. */
  readonly choices: number;
  /** The configured minimum output allowance, for all choices together. */
  readonly minOutput: number;
  readonly now: number;
}

export function rateLimitRefusal(group: string, decision: Refusal, request?: RefusedRequest): GatewayError {
  const { spec } = decision.check;
  if (spec.unit === 'tokens' && request) return tokenRefusal(group, decision, request);
  const details = { consumer_group: group, limit: spec.name, limit_value: spec.limit };
  const waitMs = capped(decision.retryAfterMs, spec);
  const headers = retryHeaders(spec, waitMs);
  if (waitMs > SDK_MAX_WAIT_MS) headers['x-should-retry'] = 'false';
  const message =
    spec.unit === 'quota'
      ? `Quota ${spec.quota} exceeded for consumer group: ${group}`
      : `Rate limit exceeded for consumer group: ${group}`;
  return new GatewayError(429, 'rate_limit_error', 'rate_limit_exceeded', message, {
    details: { ...details, retry_after_seconds: seconds(waitMs) },
    headers,
  });
}

/**
 * A token limit's refusal says what is left, what this request needs, and what would fit: a
 * smaller `max_tokens` now, or the same request once the window has room.
 */
function tokenRefusal(group: string, decision: Refusal, request: RefusedRequest): GatewayError {
  const { spec } = decision.check;
  const prompt = request.promptTokens;
  const output = decision.needed - prompt;
  const perChoice = Math.floor(decision.outputThatFits / request.choices);
  const maxTokens = perChoice >= 1 ? perChoice : null;
  const waitMs = decision.neverFits ? null : capped(decision.retryAfterMs, spec);
  const retryAt = waitMs === null ? null : isoSeconds(request.now + waitMs);
  const outputPart = output < request.minOutput ? `max_tokens ${output}` : `minimum output ${output}`;
  const needs = `this request needs at least ${decision.needed} (prompt ${prompt} + ${outputPart}${
    request.choices > 1 ? ` for ${request.choices} choices` : ''
  })`;
  const details = {
    consumer_group: group,
    limit: spec.name,
    limit_value: spec.limit,
    retry_after_seconds: waitMs === null ? null : seconds(waitMs),
    remaining: decision.remaining,
    needed: decision.needed,
    prompt_tokens: prompt,
    min_output_tokens: output,
    max_tokens_that_fit: maxTokens,
    retry_at: retryAt,
  };

  if (waitMs === null) {
    const ever = Math.floor((spec.limit - prompt) / request.choices);
    const advice =
      maxTokens !== null
        ? `Send max_tokens ≤ ${maxTokens}; retrying as is will not help.`
        : ever >= 1
          ? `Send max_tokens ≤ ${ever} once the window has room, or a shorter prompt; retrying as is will not help.`
          : 'The prompt alone is over the limit: shorten it; retrying will not help.';
    return new GatewayError(
      429,
      'rate_limit_error',
      'rate_limit_exceeded',
      `Request too large for consumer group: ${group} on ${spec.name}: limit ${spec.limit}, ${needs}. ${advice}`,
      { details, headers: { 'x-should-retry': 'false' } },
    );
  }

  const long = waitMs > SDK_MAX_WAIT_MS;
  // A smaller request fits now: a long Retry-After would keep the caller away for nothing. The
  // wait for this request as sent is in the body, and x-should-retry stops SDKs resending it.
  const headers: Record<string, string> = long && maxTokens !== null ? {} : retryHeaders(spec, waitMs);
  if (long) headers['x-should-retry'] = 'false';
  const lead =
    spec.provider && windowHeaderNames(spec)
      ? `AI token rate limit exceeded for provider(s): ${spec.provider}`
      : `Rate limit exceeded for consumer group: ${group}`;
  const advice =
    maxTokens !== null ? `send max_tokens ≤ ${maxTokens} or wait until ${retryAt}` : `wait until ${retryAt}`;
  const message = `${lead}. ${decision.remaining} tokens left ${windowPhrase(spec)}; ${needs}; ${advice}`;
  return new GatewayError(429, 'rate_limit_error', 'rate_limit_exceeded', message, { details, headers });
}

/** Retry-After and its companions: OpenAI's forms, and Kong's for a window. */
function retryHeaders(spec: LimitSpec, waitMs: number): Record<string, string> {
  const s = String(seconds(waitMs));
  const headers: Record<string, string> = {
    'retry-after': s,
    'retry-after-ms': String(Math.max(1, Math.ceil(waitMs))),
  };
  const window = windowHeaderNames(spec);
  if (window) {
    headers[window.retryAfter] = s;
    headers[window.reset] = s;
    if (spec.unit === 'tokens') {
      headers['X-AI-RateLimit-Retry-After'] = s;
      headers['X-AI-RateLimit-Reset'] = s;
    }
  }
  return headers;
}

/**
 * No usage is held longer than its window, so no wait is longer either; the cap only absorbs clock
 * differences between instances sharing a store.
 */
const capped = (waitMs: number, spec: LimitSpec) => Math.min(waitMs, spec.windowMs);

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** "today", "this minute", "in this 10-second window"; with the provider for a provider window. */
function windowPhrase(spec: LimitSpec): string {
  const name = periodName(spec.windowMs / 1000);
  const phrase = name === 'day' ? 'today' : /^\d+$/.test(name) ? `in this ${name}-second window` : `this ${name}`;
  return spec.provider ? `${phrase} for ${spec.provider}` : phrase;
}
