// Parses a chat request body once, with 400s that name the bad field.
import type { z } from 'zod';
import { type ChatRequest, chatRequestSchema } from '../../providers/index.js';
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
