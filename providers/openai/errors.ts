// Turns whatever an OpenAI-compatible upstream said on failure into OpenAI's error shape.
import { type HeaderReader, type OpenAIErrorBody, UpstreamError } from '../types.js';
import { retryAdviceOf } from '../upstream-errors.js';

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
  const upstreamSaid = body?.error;
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
  const advice = retryAdviceOf(headers);
  if (status === 429) return rateLimited(targetId, upstreamSaid, text, advice);
  return new UpstreamError(status, 'error_response', body, advice);
}

/**
 * The upstream's own 429 gets its own code, so neither a client nor a dashboard mistakes it for the
 * team's budget; its retry advice is kept, for the SDK to wait as the upstream asked.
 */
function rateLimited(
  targetId: string,
  upstreamSaid: OpenAIErrorBody['error'] | undefined,
  text: string,
  advice: Record<string, string>,
): UpstreamError {
  const upstreamCode = typeof upstreamSaid?.code === 'string' ? upstreamSaid.code : null;
  const said = upstreamSaid ? upstreamSaid.message : text.slice(0, 500);
  // OpenAI's "insufficient_quota" is billing, not a rate: no wait clears it.
  const headers = upstreamCode === 'insufficient_quota' ? { 'x-should-retry': 'false', ...advice } : advice;
  return new UpstreamError(
    429,
    'error_response',
    {
      error: {
        message: `Upstream ${targetId} rate-limited the request (${said || 'HTTP 429'}). This is the upstream's limit, not your tollgate budget.`,
        type: 'rate_limit_error',
        param: null,
        code: 'upstream_rate_limited',
        details: { target: targetId, upstream_code: upstreamCode },
      },
    },
    headers,
  );
}
