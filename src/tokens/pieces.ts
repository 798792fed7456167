// Cuts a text into bounded pieces in one pass, so counting it costs time linear in its length.
//
// tiktoken first splits a text with a regex into words, then runs BPE on each word. Both are
// superlinear on long runs (BPE on a long word without whitespace; the regex on long runs of
// whitespace), and tiktoken's words never span certain boundaries. Counting the pieces one by one
// gives the same total as counting the whole text when every cut is at such a boundary ("safe"); a
// run with no safe boundary for RUN_BYTES is cut anyway ("hard"), which costs about a token per cut.

export interface PieceSizes {
  /** Pieces end at the last safe boundary before this many UTF-16 units. */
  readonly piece: number;
  /** A run this many UTF-8 bytes long without a safe boundary is cut where it is. */
  readonly run: number;
}

/**
 * BPE cost grows with the square of a word's bytes and a call costs ~10 µs: 64 bytes is about
 * where the two meet, for ASCII runs as for emoji or CJK ones.
 */
export const PIECE_SIZES: PieceSizes = { piece: 4096, run: 64 };

const LETTER = 1;
const DIGIT = 2;
const MARK = 3;
const SPACE = 4;
const APOSTROPHE = 5;
const OTHER = 6;

/** One pattern for the classes tiktoken's regexes look at; U+0085 is whitespace to Rust, not to JS. */
const CLASSES = /(\p{L})|(\p{N})|(\p{M})|([\s\u0085])/u;
const bmpKinds = new Uint8Array(0x10000);
const astralKinds = new Map<number, number>();

function classify(codePoint: number): number {
  if (codePoint === 0x27) return APOSTROPHE;
  const m = CLASSES.exec(String.fromCodePoint(codePoint));
  if (!m) return OTHER;
  return m[1] ? LETTER : m[2] ? DIGIT : m[3] ? MARK : SPACE;
}

function kindOf(codePoint: number): number {
  if (codePoint < 0x10000) {
    let kind = bmpKinds[codePoint]!;
    if (kind === 0) {
      kind = classify(codePoint);
      bmpKinds[codePoint] = kind;
    }
    return kind;
  }
  let kind = astralKinds.get(codePoint);
  if (kind === undefined) {
    kind = classify(codePoint);
    astralKinds.set(codePoint, kind);
  }
  return kind;
}

const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** The code point that ends just before `i`. */
function codePointBefore(text: string, i: number): number {
  const unit = text.charCodeAt(i - 1);
  if (isLow(unit) && i >= 2 && isHigh(text.charCodeAt(i - 2))) return text.codePointAt(i - 2)!;
  return unit;
}

/**
 * Whether every tiktoken encoding starts a word at `i`: before a space that precedes a non-space
 * (the space leads the next word), or between a letter or digit and a symbol that is not an
 * apostrophe (contractions like 's stick to the letters before them) nor a combining mark.
 */
function safeCut(text: string, i: number): boolean {
  const unit = text.charCodeAt(i);
  if (unit === 0x20) return i + 1 < text.length && kindOf(text.codePointAt(i + 1)!) !== SPACE;
  if (isLow(unit) || kindOf(text.codePointAt(i)!) !== OTHER) return false;
  const before = kindOf(codePointBefore(text, i));
  return before === LETTER || before === DIGIT;
}

/** The UTF-8 length of a UTF-16 unit (a surrogate pair's two units make 4 bytes). */
function utf8Length(unit: number): number {
  if (unit < 0x80) return 1;
  if (unit < 0x800 || (unit >= 0xd800 && unit <= 0xdfff)) return 2;
  return 3;
}

/** [start, end) of each piece, in order, covering the text; every unit is looked at a bounded number of times. */
export function* pieces(text: string, sizes: PieceSizes = PIECE_SIZES): Generator<readonly [number, number]> {
  let start = 0;
  let lastSafe = -1;
  let runBytes = 0;
  for (let i = 1; i < text.length; i++) {
    runBytes += utf8Length(text.charCodeAt(i - 1));
    if (safeCut(text, i)) {
      lastSafe = i;
      runBytes = 0;
    } else if (runBytes >= sizes.run && !isLow(text.charCodeAt(i))) {
      yield [start, i];
      start = i;
      lastSafe = -1;
      runBytes = 0;
      continue;
    }
    if (i - start >= sizes.piece && lastSafe > start) {
      yield [start, lastSafe];
      start = lastSafe;
    }
  }
  if (start < text.length) yield [start, text.length];
}
