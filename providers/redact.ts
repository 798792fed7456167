// Masks secrets in text bound for a client or a log line: known secrets by substring search, credential-
// like values (echoed headers, bearer tokens) by one regex built once; linear in the text.
import type { OpenAIErrorBody } from './types.js';

export const MASK = '[redacted]';

/**
 * Shorter values are not searched for: they are no secret worth the name (`ollama`, `EMPTY`), and
 * masking them would garble ordinary text.
 */
export const MIN_SECRET_LENGTH = 8;

/** Deeper values are replaced, not walked: a log line never needs them, and walking must not overflow. */
const MAX_DEPTH = 100;

/** Headers whose value is a credential, for text that echoes a request's headers (any letter case). */
const CREDENTIAL_HEADERS = [
  'proxy-authorization',
  'authorization',
  'x-api-key',
  'api-key',
  'apikey',
  'x-consumer-group',
  'x-amz-security-token',
];

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
/** `[Aa][Pp]…`: the regex must stay case-sensitive for the secrets themselves. */
const anyCase = (s: string) =>
  [...s]
    .map((ch) => (ch.toLowerCase() === ch.toUpperCase() ? escapeRegex(ch) : `[${ch.toLowerCase()}${ch.toUpperCase()}]`))
    .join('');

/** `Authorization: Bearer x`, `"apikey":"x"`, `x-api-key=x`: the name (group 1), its separator (2), the value. */
const HEADER_ECHO = `(${CREDENTIAL_HEADERS.map(anyCase).join('|')})((?:\\\\?["'])?[ \\t]*[:=][ \\t]*(?:\\\\?["'])?)(?:[A-Za-z0-9-]+[ \\t]+)?[A-Za-z0-9._~+/=:-]{${MIN_SECRET_LENGTH},}`;
/** `Bearer <token>` anywhere (group 3), when the token looks like one: it has a digit or punctuation. */
const BEARER = `([Bb]earer[ \\t]+)(?=[A-Za-z0-9._~+/=-]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{${MIN_SECRET_LENGTH},}`;

/**
 * A text with more credential-like matches than this is masked whole: masking each would cost time
 * in proportion to the matches, and only a hostile or broken text has so many.
 */
const MAX_MATCHES = 1_000;
const TOO_MANY = `${MASK} (too many credential-like values to show)`;

/** The forms a secret takes in text: as is, inside a JSON string, with escaped slashes, in a URL. */
function forms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  return [secret, json, json.replaceAll('/', '\\/'), encodeURIComponent(secret)];
}

const usable = (values: Iterable<string | null | undefined>): string[] => {
  const out = new Set<string>();
  for (const v of values) if (typeof v === 'string' && v.length >= MIN_SECRET_LENGTH) out.add(v);
  return [...out];
};

export interface Redactor {
  /** The text with every secret, credential header value and bearer token in it masked. */
  text(text: string): string;
  /** At most `max` characters of the text, masked before it is cut: a secret across the cut is never half shown. */
  excerpt(text: string, max: number): string;
  /**
   * A copy with every string masked, of what JSON.stringify would write: plain data, objects by their
   * `toJSON` or own fields, and Errors, which become `{type, message, stack, cause, …}` as loggers show them.
   */
  value<T>(value: T): T;
  /** An OpenAI-shaped error body with every string in it masked. */
  errorBody(body: OpenAIErrorBody): OpenAIErrorBody;
  /** This redactor, also masking these values (a request's own credentials): a plain search, no new regex. */
  with(values: Iterable<string | null | undefined>): Redactor;
}

export function createRedactor(secrets: Iterable<string | null | undefined>): Redactor {
  // Longest first: a secret that contains another is masked whole.
  const literals = [...new Set(usable(secrets).flatMap(forms))].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`${HEADER_ECHO}|${BEARER}`, 'g');
  /** Credential-like values, in one pass of one regex. */
  const maskPatterns = (text: string): string => {
    pattern.lastIndex = 0;
    let match = pattern.exec(text);
    if (match === null) return text;
    let out = '';
    let last = 0;
    for (let count = 1; match !== null; count++) {
      if (count > MAX_MATCHES) return TOO_MANY;
      const [whole, name, separator, bearer] = match;
      out += text.slice(last, match.index) + (name !== undefined ? `${name}${separator}${MASK}` : `${bearer}${MASK}`);
      last = match.index + whole.length;
      match = pattern.exec(text);
    }
    return out + text.slice(last);
  };
  const mask = (text: string): string => {
    if (text.length < MIN_SECRET_LENGTH) return text;
    // A few known secrets: native substring search beats a regex alternation several times over.
    let out = text;
    for (const secret of literals) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return maskPatterns(out);
  };
  // Compiled to machine code now (V8 interprets a regex's first runs), not inside the first request.
  for (let i = 0; i < 3; i++) mask(`${'x'.repeat(1_024)} Bearer warm-up-token`);
  return build(mask);
}

function build(mask: (text: string) => string): Redactor {
  const self: Redactor = {
    text: mask,
    excerpt: (text, max) => mask(text).slice(0, max),
    value: <T>(value: T): T => walk(value, mask, 0, new WeakSet()) as T,
    errorBody(body) {
      // Field by field, in the upstream's order; fields it left out stay out.
      const error: OpenAIErrorBody['error'] = { ...body.error };
      for (const key of Object.keys(error)) error[key] = walk(error[key], mask, 1, new WeakSet());
      return { error };
    },
    with(values) {
      const own = usable(values).sort((a, b) => b.length - a.length);
      if (own.length === 0) return self;
      const maskOwn = (text: string) => {
        let out = text;
        for (const v of own) if (out.includes(v)) out = out.split(v).join(MASK);
        return mask(out);
      };
      return build(maskOwn);
    },
  };
  return self;
}

function walk(value: unknown, mask: (text: string) => string, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return mask(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (seen.has(value)) return '[Circular]';
  const next = (v: unknown) => walk(v, mask, depth + 1, seen);
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map(next);
    if (value instanceof Error) {
      const out: Record<string, unknown> = { type: value.name, message: mask(value.message) };
      if (value.stack !== undefined) out.stack = mask(value.stack);
      for (const [k, v] of Object.entries(value)) out[k] = next(v);
      if (value.cause !== undefined) out.cause = next(value.cause);
      return out;
    }
    const toJSON: unknown = (value as { toJSON?: unknown }).toJSON;
    // A URL, a Date, a Buffer: what would be written is what toJSON returns (a URL's password included).
    if (typeof toJSON === 'function') return next(toJSON.call(value));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = next(v);
    return out;
  } finally {
    seen.delete(value);
  }
}
