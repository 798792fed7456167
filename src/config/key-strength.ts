// How guessable an API key looks: too short, or too few distinct characters for its length.
export const MIN_KEY_LENGTH = 16;
export const MIN_KEY_BITS = 64;

/**
 * The Shannon entropy of the key's own characters times its length. It overrates keys made of
 * words, so it only ever errs on the side of calling a key strong: a low figure is surely weak.
 */
export function estimatedBits(key: string): number {
  const chars = [...key];
  const counts = new Map<string, number>();
  for (const ch of chars) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) {
    const p = n / chars.length;
    perChar -= p * Math.log2(p);
  }
  return perChar * chars.length;
}

/** Why a key is weak, or undefined when it looks strong enough. */
export function keyWeakness(key: string): string | undefined {
  const length = [...key].length;
  if (length < MIN_KEY_LENGTH) return `API key is only ${length} characters long (use at least ${MIN_KEY_LENGTH})`;
  const bits = Math.floor(estimatedBits(key));
  if (bits < MIN_KEY_BITS)
    return `API key has low entropy: about ${bits} bits, from ${new Set(key).size} distinct characters (use at least ${MIN_KEY_BITS})`;
  return undefined;
}
