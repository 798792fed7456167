// The one structured event a chat request leaves behind: who, what, outcome, tokens, latency.
import { UpstreamError } from '../../providers/index.js';
import type { RequestEvent } from './app-types.js';
import { GatewayError } from './errors.js';

export const OUTCOMES = [
  'ok',
  'rate_limited',
  'model_not_allowed',
  'model_not_found',
  'unauthorized',
  'invalid_request',
  'upstream_error',
  'client_aborted',
  'store_unavailable',
  'error',
] as const;

export type Outcome = (typeof OUTCOMES)[number];

const BY_CODE: Record<string, Outcome> = {
  rate_limit_exceeded: 'rate_limited',
  model_not_allowed: 'model_not_allowed',
  model_not_found: 'model_not_found',
  invalid_api_key: 'unauthorized',
  budget_store_unavailable: 'store_unavailable',
};

export function outcomeOf(status: number, error: unknown): Outcome {
  if (error instanceof UpstreamError) return error.failure === 'aborted' ? 'client_aborted' : 'upstream_error';
  if (error instanceof GatewayError)
    return BY_CODE[error.code ?? ''] ?? (error.status < 500 ? 'invalid_request' : 'error');
  return status < 400 ? 'ok' : 'error';
}

/** One line of the events file; its fields are documented in the README's Observability section. */
export interface EventRecord {
  request_id: string;
  consumer_group: string | null;
  /** The consumer's username; null for a group key or an unknown caller. */
  consumer: string | null;
  model: string | null;
  /** The provider target (its config id) the request was routed to. */
  target: string | null;
  stream: boolean;
  status: number;
  outcome: Outcome;
  /** The limit that refused the request (`rate_limited` only). */
  limit: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  rate_limit: { remaining_requests: number | null; remaining_tokens: number | null } | null;
  upstream_latency_ms: number | null;
  gateway_latency_ms: number;
  /** Only with `events: {include_content: true}`. */
  prompt?: unknown;
  completion?: string;
}

export function eventFor(
  event: RequestEvent,
  done: { requestId: string; status: number; error: unknown; latencyMs: number },
): EventRecord {
  const outcome = event.stream_end ?? outcomeOf(done.status, done.error);
  const limit =
    done.error instanceof GatewayError && outcome === 'rate_limited' ? done.error.options.details?.limit : undefined;
  return {
    request_id: done.requestId,
    consumer_group: event.consumer_group ?? null,
    consumer: event.consumer ?? null,
    model: event.model ?? null,
    target: event.target ?? null,
    stream: event.finished !== undefined,
    status: done.status,
    outcome,
    limit: typeof limit === 'string' ? limit : null,
    usage: event.usage
      ? {
          prompt_tokens: event.usage.promptTokens,
          completion_tokens: event.usage.completionTokens,
          total_tokens: event.usage.totalTokens,
        }
      : null,
    rate_limit: event.rate_limit ?? null,
    upstream_latency_ms: event.upstream_latency_ms ?? null,
    gateway_latency_ms: Math.round(done.latencyMs * 100) / 100,
  };
}
