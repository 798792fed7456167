// The one structured event a chat request leaves behind: who, what, outcome, tokens, latency.
import { UpstreamError } from '../../providers/index.js';
import type { RequestEvent } from './app-types.js';
import { GatewayError } from './errors.js';

export type Outcome =
  | 'ok'
  | 'rate_limited'
  | 'model_not_allowed'
  | 'model_not_found'
  | 'unauthorized'
  | 'invalid_request'
  | 'upstream_error'
  | 'client_aborted'
  | 'error';

const BY_CODE: Record<string, Outcome> = {
  rate_limit_exceeded: 'rate_limited',
  model_not_allowed: 'model_not_allowed',
  model_not_found: 'model_not_found',
  invalid_api_key: 'unauthorized',
};

export function outcomeOf(status: number, error: unknown): Outcome {
  if (error instanceof UpstreamError) return error.failure === 'aborted' ? 'client_aborted' : 'upstream_error';
  if (error instanceof GatewayError)
    return BY_CODE[error.code ?? ''] ?? (error.status < 500 ? 'invalid_request' : 'error');
  return status < 400 ? 'ok' : 'error';
}

export function eventFor(
  event: RequestEvent,
  done: { requestId: string; status: number; error: unknown; latencyMs: number },
): Record<string, unknown> {
  const outcome = event.stream_end ?? outcomeOf(done.status, done.error);
  const limit =
    done.error instanceof GatewayError && outcome === 'rate_limited' ? done.error.options.details?.limit : undefined;
  return {
    request_id: done.requestId,
    consumer_group: event.consumer_group ?? null,
    model: event.model ?? null,
    target: event.target ?? null,
    status: done.status,
    outcome,
    ...(limit ? { limit } : {}),
    usage: event.usage
      ? {
          prompt_tokens: event.usage.promptTokens,
          completion_tokens: event.usage.completionTokens,
          total_tokens: event.usage.totalTokens,
        }
      : null,
    rate_limit: event.rate_limit ?? null,
    upstream_latency_ms: event.upstream_latency_ms ?? null,
    latency_ms: Math.round(done.latencyMs * 100) / 100,
  };
}
