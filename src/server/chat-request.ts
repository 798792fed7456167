// Parses a chat request body once, with 400s that name the bad field.
import type { z } from 'zod';
import { type ChatRequest, chatRequestSchema } from '../../providers/index.js';
import { formatPath } from '../config/issues.js';
import { invalidRequest } from './errors.js';
import { nestsDeeperThan } from './nesting.js';

/**
 * Arrays and objects inside one another, the body itself being the first. A chat request needs
 * about six; past this, code that recurses (JSON.stringify, the tokenizer) could overflow the stack.
 */
export const MAX_NESTING = 64;

export async function parseChatRequest(raw: string): Promise<ChatRequest> {
  if (await nestsDeeperThan(raw, MAX_NESTING)) {
    throw invalidRequest(
      `The request body nests arrays and objects more than ${MAX_NESTING} levels deep, the gateway's limit; flatten its deepest part (a tool's parameters schema, say).`,
      null,
      'nesting_too_deep',
    );
  }
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

/**
 * A union's own message ("Invalid input") names nothing useful. When one branch matched the
 * value's type and failed inside it, that inner issue is the real one; otherwise the value had
 * none of the branches' types, and those are listed.
 */
function unwrapUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  for (const branch of issue.errors) {
    const inner = branch[0];
    if (inner && inner.path.length > 0) return unwrapUnion({ ...inner, path: [...issue.path, ...inner.path] });
  }
  return issue;
}

function unionTypes(issue: z.core.$ZodIssue): string[] {
  if (issue.code !== 'invalid_union') return [];
  return issue.errors.flatMap((branch) => (branch[0]?.code === 'invalid_type' ? [branch[0].expected] : []));
}

function fromIssue(found: z.core.$ZodIssue, body: object): Error {
  const issue = unwrapUnion(found);
  const param = formatPath(issue.path);
  let value: unknown = body;
  for (const seg of issue.path)
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[seg] : undefined;
  // Whatever the schema says about a field (type, enum, union), absent means missing.
  if (value === undefined) {
    return invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  }
  if (issue.code === 'invalid_type') {
    return invalidRequest(`Invalid type for '${param}': expected ${issue.expected}.`, param, 'invalid_type');
  }
  const types = unionTypes(issue);
  if (types.length > 0) {
    const listed = types.length === 1 ? types[0] : `${types.slice(0, -1).join(', ')} or ${types.at(-1)}`;
    return invalidRequest(`Invalid type for '${param}': expected ${listed}.`, param, 'invalid_type');
  }
  return invalidRequest(`Invalid value for '${param}': ${issue.message}.`, param, 'invalid_value');
}
