// What a config's limits mean for requests: where each limit comes from, and what a request needs.
import type { PathSegment } from './issues.js';
import type { Config, RateLimitsConfig } from './schema.js';

export const LIMIT_NAMES = ['requests_per_minute', 'tokens_per_minute', 'tokens_per_day'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];
export const TOKEN_LIMITS = ['tokens_per_minute', 'tokens_per_day'] as const;

/** The smallest prompt the tokenizer can count: 3 tokens priming the reply, 3 framing one message. */
export const MIN_PROMPT_TOKENS = 6;
/** A realistic small request: a one-word user message. */
export const SMALL_PROMPT_TOKENS = 8;

/** A limit in force for a caller, and where in the file it is written. */
export interface EffectiveLimit {
  readonly value: number;
  readonly path: readonly PathSegment[];
  /** Taken from rate_limit_defaults rather than set by the group itself. */
  readonly inherited: boolean;
}

export type EffectiveLimits = Readonly<Record<LimitName, EffectiveLimit | undefined>>;

/** The same precedence as compile.ts: the group's own limit, else rate_limit_defaults', else none. */
export function effectiveLimits(
  own: { readonly limits: RateLimitsConfig | undefined; readonly path: readonly PathSegment[] } | undefined,
  defaults: RateLimitsConfig,
): EffectiveLimits {
  const pick = (name: LimitName): EffectiveLimit | undefined => {
    const mine = own?.limits?.[name];
    if (own && mine !== undefined) return { value: mine, path: [...own.path, name], inherited: false };
    const inherited = defaults[name];
    return inherited === undefined
      ? undefined
      : { value: inherited, path: ['rate_limit_defaults', name], inherited: own !== undefined };
  };
  return {
    requests_per_minute: pick('requests_per_minute'),
    tokens_per_minute: pick('tokens_per_minute'),
    tokens_per_day: pick('tokens_per_day'),
  };
}

/** Output tokens reserved by a request that names no max_tokens, and the least one is admitted with. */
export function outputAllowance(budget: Config['budget']): { readonly standard: number; readonly minimum: number } {
  return {
    standard: budget.default_output_tokens,
    minimum: Math.min(budget.default_output_tokens, budget.min_output_tokens),
  };
}

/** Tokens a small request without max_tokens must find free in every token limit to be admitted. */
export function smallestRequest(budget: Config['budget']): number {
  return SMALL_PROMPT_TOKENS + outputAllowance(budget).minimum;
}

/** The most requests that can hold a reservation on a token limit at once (each asking for one output token). */
export function maxInFlight(tokenLimit: number): number {
  return Math.floor(tokenLimit / (MIN_PROMPT_TOKENS + 1));
}
