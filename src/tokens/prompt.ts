// A chat prompt as OpenAI counts it: fixed framing tokens plus the texts to measure.
import { type ChatRequest, contentText } from '../../providers/chat-schema.js';

/** OpenAI's chat framing: tokens around each message, per name, and to prime the reply. */
const PER_MESSAGE = 3;
const PER_NAME = 1;
const REPLY_PRIMING = 3;
/** An image's cost is unknowable without its size: count a high-detail 512px tile set. */
const PER_IMAGE = 765;
const PER_LOW_DETAIL_IMAGE = 85;

/**
 * Measuring UTF-8 lengths is fast (~1 ns a unit) but not free: past this many units in one
 * prompt, the rest is bounded by 3 bytes a unit (the most any UTF-16 unit takes), computed at once,
 * so the bound never holds the event loop for more than a few milliseconds.
 */
const MEASURED_UNITS = 2 * 1024 * 1024;

export interface PromptParts {
  /** Framing and images: tokens that need no tokenizer. */
  readonly fixed: number;
  readonly texts: readonly string[];
}

export function promptParts(req: ChatRequest): PromptParts {
  let fixed = REPLY_PRIMING;
  const texts: string[] = [];
  for (const m of req.messages) {
    fixed += PER_MESSAGE;
    texts.push(contentText(m.content));
    if (m.name) {
      fixed += PER_NAME;
      texts.push(m.name);
    }
    if (Array.isArray(m.content)) {
      for (const part of m.content) {
        if (part.type !== 'image_url') continue;
        const detail = typeof part.image_url === 'object' ? part.image_url.detail : undefined;
        fixed += detail === 'low' ? PER_LOW_DETAIL_IMAGE : PER_IMAGE;
      }
    }
    for (const call of m.tool_calls ?? []) {
      if (call.function) texts.push(call.function.name + call.function.arguments);
    }
  }
  if (req.tools) texts.push(JSON.stringify(req.tools));
  return { fixed, texts };
}

/** A BPE token covers at least one byte: the texts' UTF-8 length bounds their tokens. */
export function upperBound(texts: readonly string[]): number {
  let total = 0;
  let left = MEASURED_UNITS;
  for (const text of texts) {
    const measured = Math.min(left, text.length);
    // A slice of a flat string shares its characters: no copy.
    total += measured === text.length ? Buffer.byteLength(text, 'utf8') : Buffer.byteLength(text.slice(0, measured));
    total += 3 * (text.length - measured);
    left -= measured;
  }
  return total;
}
