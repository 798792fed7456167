// The upstream failures every adapter reports the same way: unreachable, timed out, aborted, cut off.
import { UpstreamError } from './types.js';

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
