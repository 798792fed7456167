// Table tests for Bedrock exceptions → OpenAI-shaped upstream errors.
import { describe, expect, it } from 'vitest';
import { fromServiceError, isServiceError } from './errors.js';

const exception = (name: string, message = 'details') =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });

describe('fromServiceError', () => {
  it.each([
    ['ThrottlingException', 429, 'rate_limit_error', 'upstream_rate_limited'],
    ['throttlingException', 429, 'rate_limit_error', 'upstream_rate_limited'],
    ['ServiceQuotaExceededException', 429, 'rate_limit_error', 'upstream_rate_limited'],
    ['ValidationException', 400, 'invalid_request_error', 'upstream_invalid_request'],
    ['AccessDeniedException', 403, 'permission_error', 'upstream_access_denied'],
    ['UnrecognizedClientException', 502, 'upstream_error', 'upstream_auth_failed'],
    ['ResourceNotFoundException', 404, 'invalid_request_error', 'model_not_found'],
    ['ModelNotReadyException', 503, 'upstream_error', 'upstream_unavailable'],
    ['ServiceUnavailableException', 503, 'upstream_error', 'upstream_unavailable'],
    ['ModelTimeoutException', 504, 'upstream_error', 'upstream_timeout'],
    ['InternalServerException', 502, 'upstream_error', 'upstream_error'],
    ['modelStreamErrorException', 502, 'upstream_error', 'upstream_error'],
  ])('maps %s to %i %s', (name, status, type, code) => {
    const error = fromServiceError(exception(name));
    expect(error.status).toBe(status);
    expect(error.body.error).toMatchObject({ type, code });
    expect(error.body.error.message).toContain('details');
  });

  it("says a throttled request is Bedrock's limit, not the team's budget", () => {
    const { message } = fromServiceError(exception('ThrottlingException', 'Too many requests')).body.error;
    expect(message).toBe(
      "Bedrock throttled the request (ThrottlingException: Too many requests). This is the upstream's limit, not your tollgate budget.",
    );
  });

  it("keeps the gateway's own AWS identity out of the message", () => {
    const denied = exception(
      'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/tollgate/i-0abc is not authorized to perform: bedrock:InvokeModel',
    );
    const { message } = fromServiceError(denied).body.error;
    expect(message).not.toContain('123456789012');
    expect(message).toContain("User: (the gateway's AWS identity) is not authorized to perform: bedrock:InvokeModel");
  });

  it('tells exceptions Bedrock answered with from network failures', () => {
    expect(isServiceError(exception('ValidationException'))).toBe(true);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', $metadata: {} });
    expect(isServiceError(refused)).toBe(false);
  });
});
