// The upstream failures every adapter reports the same way: unreachable, timed out, aborted, cut off.
import { type HeaderReader, UpstreamError } from './types.js';

/**
 * The retry advice an upstream sends with an error, which the OpenAI SDKs act on. Its
 * x-ratelimit-* headers are not among them: on the gateway's answers those names carry the team's
 * own budget, and the upstream's describe the gateway's account, shared by every team.
 */
const RETRY_ADVICE = ['retry-after', 'retry-after-ms', 'x-should-retry'] as const;

export function retryAdviceOf(headers: HeaderReader | undefined): Record<string, string> {
  const advice: Record<string, string> = {};
  for (const name of RETRY_ADVICE) {
    const value = headers?.get(name);
    if (value) advice[name] = value;
  }
  return advice;
}

export function unreachable(targetId: string, cause: unknown): UpstreamError {
  const reason =
    cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
  return new UpstreamError(502, 'unreachable', {
    error: {
      message: `Upstream ${targetId} is unreachable: ${reason}`,
      type: 'upstream_error',
      param: null,
      code: 'upstream_unreachable',
    },
  });
}

export function timedOut(targetId: string, ms: number): UpstreamError {
  return new UpstreamError(504, 'timeout', {
    error: {
      message: `Upstream ${targetId} did not answer within ${ms} ms`,
      type: 'upstream_error',
      param: null,
      code: 'upstream_timeout',
    },
  });
}

export function aborted(): UpstreamError {
  return new UpstreamError(499, 'aborted', {
    error: {
      message: 'The client closed the request',
      type: 'invalid_request_error',
      param: null,
      code: 'client_closed_request',
    },
  });
}

export function lostMidStream(targetId: string, cause: unknown): UpstreamError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new UpstreamError(502, 'unreachable', {
    error: {
      message: `Upstream ${targetId} failed mid-stream: ${reason}`,
      type: 'upstream_error',
      param: null,
      code: 'upstream_stream_error',
    },
  });
}

export function malformed(targetId: string, data: string): UpstreamError {
  return new UpstreamError(502, 'error_response', {
    error: {
      message: `Upstream ${targetId} sent a malformed event: ${data.slice(0, 200)}`,
      type: 'upstream_error',
      param: null,
      code: 'upstream_malformed_response',
    },
  });
}
