// The upstream failures every adapter reports the same way: unreachable, timed out, aborted, cut off.
import type { Redactor } from './redact.js';
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

/**
 * The client learns only that the target could not be reached: the cause (host names, addresses,
 * ports of the inside network) stays on the error as `cause`, for the gateway's log.
 */
export function unreachable(targetId: string, cause: unknown): UpstreamError {
  const err = new UpstreamError(502, 'unreachable', {
    error: {
      message: `Upstream ${targetId} is unreachable.`,
      type: 'upstream_error',
      param: null,
      code: 'upstream_unreachable',
    },
  });
  err.cause = cause;
  return err;
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

/** The upstream's text is quoted, masked, so the operator can see what came back. */
export function malformed(targetId: string, data: string, redactor: Redactor): UpstreamError {
  return new UpstreamError(502, 'error_response', {
    error: {
      message: `Upstream ${targetId} sent a malformed event: ${redactor.excerpt(data, 200)}`,
      type: 'upstream_error',
      param: null,
      code: 'upstream_malformed_response',
    },
  });
}

/** The upstream's answer (a whole body, or one streamed event) passed the target's `max_response_bytes`. */
export function tooLarge(targetId: string, limit: number, what: 'response' | 'stream event'): UpstreamError {
  return new UpstreamError(502, 'error_response', {
    error: {
      message: `Upstream ${targetId} sent a ${what} larger than ${limit} bytes (the target's max_response_bytes); the gateway stopped reading it`,
      type: 'upstream_error',
      param: null,
      code: 'upstream_response_too_large',
    },
  });
}

/** The stream was still going when the target's `stream_max_duration_ms` ran out. */
export function streamTooLong(targetId: string, ms: number): UpstreamError {
  return new UpstreamError(504, 'timeout', {
    error: {
      message: `Upstream ${targetId} was still streaming after ${ms} ms (the target's stream_max_duration_ms); the answer ends here`,
      type: 'upstream_error',
      param: null,
      code: 'upstream_timeout',
    },
  });
}
