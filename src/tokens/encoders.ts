// Which tiktoken encoding a model uses, and the encoders themselves, created once per thread.
import { createRequire } from 'node:module';
import type { Tiktoken, TiktokenEncoding } from 'tiktoken';

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
export const FALLBACK_ENCODING: TiktokenEncoding = 'o200k_base';

export function encodingFor(model: string): TiktokenEncoding {
  const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  for (const [prefix, encoding] of FAMILIES) if (bare.startsWith(prefix)) return encoding;
  return FALLBACK_ENCODING;
}

/** Required on first use: loading tiktoken's WASM and tables is ~0.3–2 s of synchronous work. */
const requireLazily = createRequire(import.meta.url);

/** The encoder for a model, created on first use and kept (they are costly to create). */
export function createEncoders(): (model: string) => Tiktoken {
  const encoders = new Map<TiktokenEncoding, Tiktoken>();
  let library: typeof import('tiktoken') | undefined;
  return (model) => {
    const name = encodingFor(model);
    let encoder = encoders.get(name);
    if (!encoder) {
      library ??= requireLazily('tiktoken') as typeof import('tiktoken');
      encoder = library.get_encoding(name);
      encoders.set(name, encoder);
    }
    return encoder;
  };
}
