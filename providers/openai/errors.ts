// Turns whatever an OpenAI-compatible upstream said on failure into OpenAI's error shape.
import { type HeaderReader, type OpenAIErrorBody, UpstreamError } from '../types.js';

const PASSED_HEADERS = ['retry-after', 'retry-after-ms'];

export function isErrorBody(value: unknown): value is OpenAIErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

/**
 * The upstream's error as the client should see it. A 401 means the gateway's own key for the
 * target was refused: that is the gateway's fault, not the caller's, so it becomes a 502.
 */
export function errorFromResponse(
  targetId: string,
  status: number,
  text: string,
  headers: HeaderReader,
): UpstreamError {
  let body: OpenAIErrorBody | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (isErrorBody(parsed)) {
      body = {
        error: {
          ...parsed.error,
          type: parsed.error.type ?? 'upstream_error',
          param: parsed.error.param ?? null,
          code: parsed.error.code ?? null,
        },
      };
    }
  } catch {
    // Not JSON: wrapped below.
  }
  body ??= {
    error: {
      message: `Upstream returned HTTP ${status}${text ? `: ${text.slice(0, 500)}` : ''}`,
      type: 'upstream_error',
      param: null,
      code: null,
    },
  };
  if (status === 401) {
    return new UpstreamError(502, 'error_response', {
      error: {
        // Not the upstream's own text: it may quote part of the key.
        message: `Upstream ${targetId} refused the gateway's credentials (HTTP 401); the gateway's operator must fix its key.`,
        type: 'upstream_error',
        param: null,
        code: 'upstream_auth_failed',
      },
    });
  }
  const passed: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = headers.get(name);
    if (value) passed[name] = value;
  }
  return new UpstreamError(status, 'error_response', body, passed);
}
