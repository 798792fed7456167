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
