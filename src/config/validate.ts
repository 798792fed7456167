// Schema validation of a config source: every zod issue becomes a positioned, readable finding.
import { z } from 'zod';
import type { ConfigIssue, PathSegment } from './issues.js';
import { type Config, configSchema } from './schema.js';
import type { ConfigSource } from './source.js';
import { closest } from './suggest.js';

export interface Validated {
  readonly config: Config | undefined;
  readonly issues: ConfigIssue[];
}

export function validate(source: ConfigSource): Validated {
  if (source.data === undefined) return { config: undefined, issues: [...source.syntaxIssues] };
  const parsed = configSchema.safeParse(source.data ?? {});
  if (parsed.success) return { config: parsed.data, issues: source.syntaxIssues };
  const issues = [...source.syntaxIssues];
  for (const zi of parsed.error.issues) issues.push(...fromZod(source, zi));
  return { config: undefined, issues };
}

function fromZod(source: ConfigSource, zi: z.core.$ZodIssue): ConfigIssue[] {
  const path = zi.path.filter((p): p is PathSegment => typeof p !== 'symbol');
  if (zi.code === 'unrecognized_keys') {
    const known = keysAt(configSchema, path, source.data);
    return zi.keys.map((key) => {
      const guess = closest(key, known);
      const hint = guess ? `did you mean "${guess}"?` : known.length ? `known fields: ${known.join(', ')}` : undefined;
      return source.issue('error', 'unknown_field', [...path, key], `unknown field "${key}"`, hint, 'key');
    });
  }
  if (zi.code === 'invalid_union' && 'discriminator' in zi && zi.discriminator) {
    const options = 'options' in zi && Array.isArray(zi.options) ? zi.options.map(String) : [];
    const got = valueAt(source.data, path);
    const guess = typeof got === 'string' ? closest(got, options) : undefined;
    const what = zi.discriminator === 'provider' ? 'provider type' : zi.discriminator;
    return [
      source.issue(
        'error',
        zi.discriminator === 'provider' ? 'unknown_provider' : `unknown_${zi.discriminator}`,
        path,
        got === undefined ? `missing "${zi.discriminator}"` : `unknown ${what} ${JSON.stringify(got)}`,
        guess ? `did you mean "${guess}"? (one of: ${options.join(', ')})` : `one of: ${options.join(', ')}`,
      ),
    ];
  }
  const value = valueAt(source.data, path);
  const issue = (code: string, message: string, hint?: string) => [source.issue('error', code, path, message, hint)];
  if (zi.code === 'invalid_type' && value === undefined) return issue('missing_field', 'required field is missing');
  if (zi.code === 'invalid_type' && zi.expected === 'int')
    return issue('not_integer', `must be a whole number, got ${describe(value)}`);
  if (zi.code === 'invalid_type') return issue('wrong_type', `expected ${zi.expected}, got ${describe(value)}`);
  if (zi.code === 'too_small' && zi.origin === 'number' && Number(zi.minimum) === 0 && !zi.inclusive)
    return issue('not_positive', `must be greater than 0, got ${describe(value)}`, positiveHint(path));
  if (zi.code === 'too_small' && zi.origin === 'number')
    return issue('too_small', `must be at least ${String(zi.minimum)}, got ${describe(value)}`);
  return issue(`invalid_${zi.code}`, zi.message);
}

/** A limit of 0 reads as "deny"; say how to deny instead. */
function positiveHint(path: readonly PathSegment[]): string | undefined {
  const last = path.at(-1);
  if (typeof last !== 'string' || !/_per_(minute|day)$/.test(last)) return undefined;
  return 'limits must be positive: to refuse every model, set `allowed_models: []`; a limit left out is inherited from rate_limit_defaults';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PathSegment, unknown>)[seg];
  }
  return cur;
}

/** The field names the schema allows at `path`, for "did you mean" hints. */
function keysAt(schema: z.ZodType, path: readonly PathSegment[], data: unknown): string[] {
  let cur: z.ZodType | undefined = schema;
  let value: unknown = data;
  for (let i = 0; i <= path.length && cur; ) {
    if (cur instanceof z.ZodOptional || cur instanceof z.ZodDefault || cur instanceof z.ZodNullable) {
      cur = cur.unwrap() as z.ZodType;
      continue;
    }
    if (cur instanceof z.ZodDiscriminatedUnion || cur instanceof z.ZodUnion) {
      const options = cur.options as z.ZodType[];
      cur =
        options.find((o) => o instanceof z.ZodObject && o.safeParse(value).success) ??
        options.find((o) => o instanceof z.ZodObject && matchesDiscriminator(o, value)) ??
        options[0];
      continue;
    }
    if (i === path.length) break;
    const seg = path[i]!;
    if (cur instanceof z.ZodArray && typeof seg === 'number') cur = cur.element as z.ZodType;
    else if (cur instanceof z.ZodObject) cur = cur.shape[String(seg)] as z.ZodType | undefined;
    else return [];
    value = valueAt(value, [seg]);
    i++;
  }
  return cur instanceof z.ZodObject ? Object.keys(cur.shape).filter((k) => !k.startsWith('$')) : [];
}

/** Whether the option's literal field (its discriminator: `provider`, `type`…) matches the value. */
function matchesDiscriminator(option: z.ZodObject, value: unknown): boolean {
  return Object.entries(option.shape).some(
    ([key, field]) => field instanceof z.ZodLiteral && field.value === valueAt(value, [key]),
  );
}
