// Parses a chat request body once, with 400s that name the bad field, and applies the output cap.
import type { z } from 'zod';
import { type ChatRequest, chatRequestSchema, requestedOutputCap } from '../../providers/index.js';
import { formatPath } from '../config/issues.js';
import { invalidRequest } from './errors.js';

export function parseChatRequest(raw: string): ChatRequest {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw invalidRequest(
      'We could not parse the JSON body of your request. Send valid JSON with Content-Type: application/json.',
      null,
      'invalid_json',
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalidRequest('The request body must be a JSON object.', null, 'invalid_json');
  }
  const parsed = chatRequestSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw fromIssue(parsed.error.issues[0]!, json);
}

function fromIssue(issue: z.core.$ZodIssue, body: object): Error {
  const param = formatPath(issue.path);
  let value: unknown = body;
  for (const seg of issue.path)
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[seg] : undefined;
  if (issue.code === 'invalid_type' && value === undefined) {
    return invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  }
  if (issue.code === 'invalid_type') {
    return invalidRequest(`Invalid type for '${param}': expected ${issue.expected}.`, param, 'invalid_type');
  }
  return invalidRequest(`Invalid value for '${param}': ${issue.message}.`, param, 'invalid_value');
}

export interface Capped {
  readonly request: ChatRequest;
  /** The JSON text to send upstream: the client's own bytes unless the cap changed them. */
  readonly body: string;
}

/**
 * Makes the upstream's output cap no larger than the reserved allowance. Untouched when the
 * client's own cap already fits; when the client set none, the field is spliced into its JSON
 * text rather than re-serialising the whole body.
 */
export function applyOutputCap(raw: string, request: ChatRequest, allowance: number): Capped {
  const asked = requestedOutputCap(request);
  if (asked !== undefined && asked <= allowance) return { request, body: raw };
  if (asked === undefined) {
    const open = raw.indexOf('{');
    const body = `${raw.slice(0, open + 1)}"max_completion_tokens":${allowance},${raw.slice(open + 1)}`;
    return { request: { ...request, max_completion_tokens: allowance }, body };
  }
  const capped: ChatRequest = { ...request };
  if (capped.max_completion_tokens != null) capped.max_completion_tokens = allowance;
  if (capped.max_tokens != null) capped.max_tokens = allowance;
  return { request: capped, body: JSON.stringify(capped) };
}
