// Counting and cutting text in tokens piece by piece, as steps a caller can pause between.
import type { Tiktoken } from 'tiktoken';
import { pieces } from './pieces.js';

/**
 * The tokens of `texts` together, one step per piece; stops early once the total passes `atMost`
 * (the result is then a part of the total, above `atMost`: the texts are at least that long).
 */
export function* counting(
  encoder: Tiktoken,
  texts: readonly string[],
  atMost = Number.POSITIVE_INFINITY,
): Generator<void, number> {
  let total = 0;
  for (const text of texts) {
    for (const [start, end] of pieces(text)) {
      total += encoder.encode_ordinary(text.slice(start, end)).length;
      if (total > atMost) return total;
      yield;
    }
  }
  return total;
}

/** The start of `text` that holds its first `maxTokens` tokens, or null when the whole text fits. */
export function* truncating(encoder: Tiktoken, text: string, maxTokens: number): Generator<void, string | null> {
  let used = 0;
  for (const [start, end] of pieces(text)) {
    const tokens = encoder.encode_ordinary(text.slice(start, end));
    if (used + tokens.length > maxTokens) {
      const kept = tokens.subarray(0, maxTokens - used);
      return text.slice(0, start) + new TextDecoder().decode(encoder.decode(kept));
    }
    used += tokens.length;
    yield;
  }
  return null;
}

/** Runs the steps to the end on this thread. */
export function finish<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
