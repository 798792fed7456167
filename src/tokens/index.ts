// Token counts with tiktoken: the right encoding per model family, encoders created once.
import { createRequire } from 'node:module';
import type { Tiktoken, TiktokenEncoding } from 'tiktoken';
import { type ChatRequest, contentText } from '../../providers/chat-schema.js';
import type { Tokenizer } from '../../providers/types.js';

/** Model prefixes and their encodings; unknown models fall back to the newest (o200k_base). */
const FAMILIES: ReadonlyArray<readonly [string, TiktokenEncoding]> = [
  ['gpt-4o', 'o200k_base'],
  ['gpt-4.1', 'o200k_base'],
  ['gpt-4.5', 'o200k_base'],
  ['gpt-5', 'o200k_base'],
  ['o1', 'o200k_base'],
  ['o3', 'o200k_base'],
  ['o4', 'o200k_base'],
  ['chatgpt-4o', 'o200k_base'],
  ['gpt-4', 'cl100k_base'],
  ['gpt-3.5', 'cl100k_base'],
];
const FALLBACK: TiktokenEncoding = 'o200k_base';

/** Texts longer than this are counted piece by piece (see `count`). */
const PIECE_CHARS = 8192;
const HARD_CUT_CHARS = 512;

/** OpenAI's chat framing: tokens around each message, per name, and to prime the reply. */
const PER_MESSAGE = 3;
const PER_NAME = 1;
const REPLY_PRIMING = 3;
/** An image's cost is unknowable without its size: count a high-detail 512px tile set. */
const PER_IMAGE = 765;
const PER_LOW_DETAIL_IMAGE = 85;

/** A BPE token covers at least one byte: a text's UTF-8 length bounds its token count, for free. */
function utf8Bytes(text: string): number {
  return text.length === 0 ? 0 : Buffer.byteLength(text, 'utf8');
}

/** A chat prompt's tokens with OpenAI's framing, each text measured by `measure`. */
function framed(req: ChatRequest, measure: (text: string) => number): number {
  let total = REPLY_PRIMING;
  for (const m of req.messages) {
    total += PER_MESSAGE + measure(contentText(m.content));
    if (m.name) total += PER_NAME + measure(m.name);
    if (Array.isArray(m.content)) {
      for (const part of m.content) {
        if (part.type !== 'image_url') continue;
        const detail = typeof part.image_url === 'object' ? part.image_url.detail : undefined;
        total += detail === 'low' ? PER_LOW_DETAIL_IMAGE : PER_IMAGE;
      }
    }
    for (const call of m.tool_calls ?? []) {
      if (call.function) total += measure(call.function.name + call.function.arguments);
    }
  }
  if (req.tools) total += measure(JSON.stringify(req.tools));
  return total;
}

export function encodingFor(model: string): TiktokenEncoding {
  const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  for (const [prefix, encoding] of FAMILIES) if (bare.startsWith(prefix)) return encoding;
  return FALLBACK;
}

/** tiktoken's WASM costs ~20 MiB once loaded: it is loaded on the first exact count, not at start. */
const requireLazily = createRequire(import.meta.url);

export function createTokenizer(): Tokenizer {
  const encoders = new Map<TiktokenEncoding, Tiktoken>();
  let library: typeof import('tiktoken') | undefined;
  const encoder = (model: string): Tiktoken => {
    const name = encodingFor(model);
    let enc = encoders.get(name);
    if (!enc) {
      library ??= requireLazily('tiktoken') as typeof import('tiktoken');
      enc = library.get_encoding(name);
      encoders.set(name, enc);
    }
    return enc;
  };
  const count = (model: string, text: string): number => {
    if (text.length === 0) return 0;
    const enc = encoder(model);
    if (text.length <= PIECE_CHARS) return enc.encode_ordinary(text).length;
    // BPE is about quadratic in the length of a run without whitespace: count long texts in pieces
    // (cut at whitespace where there is some), which costs a token at most per cut.
    let total = 0;
    for (let start = 0; start < text.length; ) {
      let end = Math.min(text.length, start + PIECE_CHARS);
      if (end < text.length) {
        const space = text.lastIndexOf(' ', end);
        // No whitespace to cut at: a short hard cut, since a long run is the slow case.
        end = space > start + PIECE_CHARS / 2 ? space : Math.min(end, start + HARD_CUT_CHARS);
      }
      total += enc.encode_ordinary(text.slice(start, end)).length;
      start = end;
    }
    return total;
  };

  return {
    count,
    truncate(model, text, maxTokens) {
      const enc = encoder(model);
      const tokens = enc.encode_ordinary(text);
      if (tokens.length <= maxTokens) return text;
      return new TextDecoder().decode(enc.decode(tokens.slice(0, maxTokens)));
    },
    promptTokens: (req) => framed(req, (text) => count(req.model, text)),
    promptUpperBound: (req) => framed(req, utf8Bytes),
  };
}
