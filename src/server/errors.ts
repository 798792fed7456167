// The gateway's one error type and its one renderer: every error response is OpenAI-shaped.
import { STATUS_CODES } from 'node:http';
import type { Context } from 'hono';
import { type OpenAIErrorBody, UpstreamError } from '../../providers/index.js';
import type { Redactor } from '../../providers/redact.js';

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string | null,
    message: string,
    readonly options: {
      readonly param?: string | null;
      readonly details?: Record<string, unknown>;
      readonly headers?: Readonly<Record<string, string>>;
    } = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  body(): OpenAIErrorBody {
    const error: OpenAIErrorBody['error'] = {
      message: this.message,
      type: this.type,
      param: this.options.param ?? null,
      code: this.code,
    };
    if (this.options.details) error.details = this.options.details;
    return { error };
  }
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new GatewayError(400, 'invalid_request_error', code, message, { param });

export const notFound = (message: string, code: string | null = 'not_found') =>
  new GatewayError(404, 'invalid_request_error', code, message);

/**
 * Renders any thrown value, its text masked by `redactor` (upstream text and client input may hold a
 * key); unknown errors become a 500 that says nothing internal.
 */
export function renderError(err: unknown, c: Context, log: (err: unknown) => void, redactor: Redactor): Response {
  if (err instanceof GatewayError) {
    for (const [k, v] of Object.entries(err.options.headers ?? {})) c.header(k, v);
    return c.json(redactor.errorBody(err.body()), err.status as 400);
  }
  if (err instanceof UpstreamError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json(redactor.errorBody(err.body), err.status as 400);
  }
  log(err);
  const internal = new GatewayError(
    500,
    'server_error',
    'internal_error',
    'The gateway hit an internal error; the request was not completed.',
  );
  return c.json(internal.body(), 500);
}

/**
 * The same error as raw HTTP/1.1, for a connection Node's parser refused before any request
 * reached the app (oversized headers, say); the connection closes after it.
 */
export function renderRawError(err: GatewayError, requestId: string): string {
  const body = JSON.stringify(err.body());
  return [
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}
