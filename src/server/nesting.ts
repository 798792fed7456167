// How deep a JSON text nests, measured on the raw text before anything recurses over it.

const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;

/** Characters passed between yields: a few milliseconds of work, whatever the text holds. */
const SLICE_CHARS = 1 << 19;

/**
 * Whether `text` opens more than `max` arrays and objects inside one another; brackets inside
 * strings do not count. One pass, linear in the text, and the event loop gets a turn after every
 * slice, so a 16 MiB body never holds it for long. The text need not be valid JSON: this is a bound
 * checked before JSON.parse, which still decides validity.
 */
export async function nestsDeeperThan(text: string, max: number): Promise<boolean> {
  let depth = 0;
  let inString = false;
  // The next quote and backslash at or after `i`, found by indexOf (native, fast) and kept until
  // passed, so each stretch of a string is searched once per character sought.
  let quote = -1;
  let backslash = -1;
  let i = 0;
  while (i < text.length) {
    const end = Math.min(text.length, i + SLICE_CHARS);
    while (i < end) {
      if (inString) {
        if (quote < i) quote = text.indexOf('"', i);
        if (quote === -1) return false;
        if (backslash < i) backslash = text.indexOf('\\', i);
        if (backslash === -1) backslash = text.length;
        if (backslash < quote) {
          // An escape: whatever follows the backslash (a quote included) is part of the string.
          i = backslash + 2;
        } else {
          inString = false;
          i = quote + 1;
        }
        continue;
      }
      const c = text.charCodeAt(i++);
      if (c === QUOTE) inString = true;
      else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (++depth > max) return true;
      } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
    }
    if (i < text.length) await new Promise((resolve) => setImmediate(resolve));
  }
  return false;
}
