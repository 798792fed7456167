// Turns Bedrock's exceptions, and requests it cannot take, into OpenAI-shaped UpstreamErrors.
import { z } from 'zod';
import { UpstreamError } from '../types.js';
import { retryAdviceOf } from '../upstream-errors.js';

interface Mapping {
  readonly status: number;
  readonly type: string;
  readonly code: string;
  readonly param?: string;
  readonly say: (detail: string) => string;
}

const throttled: Mapping = {
  status: 429,
  type: 'rate_limit_error',
  code: 'upstream_rate_limited',
  say: (d) => `Bedrock throttled the request (${d}). This is the upstream's limit, not your tollgate budget.`,
};
const unavailable: Mapping = {
  status: 503,
  type: 'upstream_error',
  code: 'upstream_unavailable',
  say: (d) => `Bedrock cannot serve the model right now (${d}).`,
};
const failed: Mapping = {
  status: 502,
  type: 'upstream_error',
  code: 'upstream_error',
  say: (d) => `Bedrock failed (${d}).`,
};

/** Bedrock Runtime's exceptions by name, as the issue maps them; anything else is a 502. */
const BY_NAME: Readonly<Record<string, Mapping>> = {
  ThrottlingException: throttled,
  ServiceQuotaExceededException: throttled,
  ValidationException: {
    status: 400,
    type: 'invalid_request_error',
    code: 'upstream_invalid_request',
    say: (d) => `Bedrock rejected the request (${d}).`,
  },
  AccessDeniedException: {
    status: 403,
    type: 'permission_error',
    code: 'upstream_access_denied',
    say: (d) => `Bedrock denied the gateway's credentials access (${d}).`,
  },
  // The gateway's own credentials are invalid: its operator's problem, not the caller's (as an OpenAI 401).
  UnrecognizedClientException: {
    status: 502,
    type: 'upstream_error',
    code: 'upstream_auth_failed',
    say: (d) => `Bedrock refused the gateway's credentials (${d}).`,
  },
  ResourceNotFoundException: {
    status: 404,
    type: 'invalid_request_error',
    code: 'model_not_found',
    param: 'model',
    say: (d) => `Bedrock does not know the model (${d}).`,
  },
  ModelNotReadyException: unavailable,
  ServiceUnavailableException: unavailable,
  ModelTimeoutException: {
    status: 504,
    type: 'upstream_error',
    code: 'upstream_timeout',
    say: (d) => `The model timed out on Bedrock (${d}).`,
  },
};

/** Exceptions sent inside an event stream are named in camel case (`throttlingException`). */
const exceptionName = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

interface ServiceErrorShape {
  readonly name: string;
  readonly message: string;
  readonly $fault?: unknown;
  /** The raw HTTP response, which the AWS SDK keeps on the exceptions it parsed from one. */
  readonly $response?: unknown;
}

const rawResponseSchema = z.object({ headers: z.record(z.string(), z.string()) });

/** Retry advice Bedrock sent with the exception (Retry-After on throttling), kept for the client's SDK. */
function adviceOf(err: ServiceErrorShape): Record<string, string> {
  const raw = rawResponseSchema.safeParse(err.$response);
  if (!raw.success) return {};
  const { headers } = raw.data;
  return retryAdviceOf({ get: (name) => headers[name.toLowerCase()] ?? null });
}

/**
 * True for errors Bedrock answered with (exceptions carry `$fault`), as opposed to network failures,
 * which the SDK also decorates with `$metadata`.
 */
export function isServiceError(err: unknown): err is ServiceErrorShape {
  if (!(err instanceof Error)) return false;
  return '$fault' in err || exceptionName(err.name) in BY_NAME;
}

/** The gateway's own AWS identity (`User: arn:aws:sts::…:assumed-role/…` in AccessDenied) is not the client's business. */
const PRINCIPAL_ARN = /arn:aws[a-z-]*:(?:iam|sts)::\d{12}:\S+/g;

export function fromServiceError(err: ServiceErrorShape): UpstreamError {
  const name = exceptionName(err.name);
  const mapping = BY_NAME[name] ?? failed;
  const message = err.message.replace(PRINCIPAL_ARN, "(the gateway's AWS identity)");
  const detail = message ? `${name}: ${message}` : name;
  return new UpstreamError(
    mapping.status,
    mapping.status === 504 ? 'timeout' : 'error_response',
    { error: { message: mapping.say(detail), type: mapping.type, param: mapping.param ?? null, code: mapping.code } },
    adviceOf(err),
  );
}

/** A request field Bedrock has no equivalent for, refused before anything is sent. */
export function unsupported(param: string, why: string): UpstreamError {
  return new UpstreamError(400, 'error_response', {
    error: {
      message: `'${param}' is not supported for Bedrock models: ${why}`,
      type: 'invalid_request_error',
      param,
      code: 'unsupported_parameter',
    },
  });
}

/** Bedrock answered, but with a reply the gateway cannot turn into OpenAI's shape. */
export function unusable(targetId: string, why: string): UpstreamError {
  return new UpstreamError(502, 'error_response', {
    error: {
      message: `Upstream ${targetId} sent an unusable answer: ${why}`,
      type: 'upstream_error',
      param: null,
      code: 'upstream_malformed_response',
    },
  });
}

/** A request field whose value is not what OpenAI's API allows, refused before anything is sent. */
export function invalid(param: string, why: string): UpstreamError {
  return new UpstreamError(400, 'error_response', {
    error: {
      message: `Invalid value for '${param}': ${why}`,
      type: 'invalid_request_error',
      param,
      code: 'invalid_value',
    },
  });
}
