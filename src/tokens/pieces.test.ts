// The cuts are where tiktoken starts a word (so counts stay exact), and bounded where it never does.
import { get_encoding, type TiktokenEncoding } from 'tiktoken';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/helpers/random.js';
import { PIECE_SIZES, pieces } from './pieces.js';

/** Characters each tiktoken regex treats differently: cases, marks, digits, apostrophes, every kind of space. */
const ALPHABET = [
  ...['a', 'b', 'Z', 'Q', 'é', 'ß', 'Ω', 'ж', '世', '界', 'ア', '한', '𝐀'],
  ...['1', '7', '٣', '²', '½'],
  ...['\u0301', '\u0308'],
  ...["'", '’', '.', ',', '!', '?', '/', '-', '_', '"', '(', '#', '@', '😀', '🚀', '€', '\u200b', '\u0000'],
  ...[' ', ' ', ' ', '  ', '\n', '\r\n', '\t', '\u00a0', '\u0085', '\u3000', '\ufeff'],
  ...["'s", "'ll", 'the', ' the', 'The', 'HTTP', 'don', '2024'],
];

function text(seed: number, length: number): string {
  const next = seededRandom(seed);
  let out = '';
  while (out.length < length) out += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return out;
}

const cut = (t: string, sizes = PIECE_SIZES) => [...pieces(t, sizes)].map(([a, b]) => t.slice(a, b));

describe('pieces', () => {
  it.each(['', 'a', 'hello world', 'x'.repeat(10_000), ' '.repeat(10_000), text(1, 20_000)])(
    'cover the text in order, without gaps (%#)',
    (t) => {
      expect(cut(t).join('')).toBe(t);
      for (const [a, b] of pieces(t)) expect(b).toBeGreaterThan(a);
    },
  );

  it.each<TiktokenEncoding>(['o200k_base', 'cl100k_base'])(
    'cut only where %s starts a word: the pieces count exactly what the whole text counts',
    (name) => {
      const encoder = get_encoding(name);
      try {
        // Tiny pieces and no hard cuts: every safe boundary is used.
        const sizes = { piece: 1, run: Number.POSITIVE_INFINITY };
        for (let seed = 1; seed <= 300; seed++) {
          const t = text(seed, 200);
          const whole = encoder.encode_ordinary(t).length;
          const parts = cut(t, sizes);
          const summed = parts.reduce((n, p) => n + encoder.encode_ordinary(p).length, 0);
          expect({ seed, summed }).toEqual({ seed, summed: whole });
        }
      } finally {
        encoder.free();
      }
    },
  );

  it.each(['x'.repeat(5_000), '😀'.repeat(5_000), '世'.repeat(5_000), ' '.repeat(5_000), '!?'.repeat(5_000)])(
    'cut a run without safe boundaries every few bytes, never inside a surrogate pair (%#)',
    (t) => {
      for (const piece of cut(t)) {
        expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(PIECE_SIZES.run + 3);
        expect(piece).toBe(Buffer.from(piece).toString());
      }
    },
  );

  it('end pieces of ordinary text at a safe boundary within the piece size', () => {
    const t = text(7, 100_000);
    const parts = cut(t);
    for (const piece of parts) expect(piece.length).toBeLessThanOrEqual(PIECE_SIZES.piece);
    expect(parts.length).toBeLessThan((2 * t.length) / PIECE_SIZES.piece);
  });
});
