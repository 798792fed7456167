// `tollgate key hash|new`: the SHA-256 to put in api_key_sha256, and strong random keys to hand out.
import { randomBytes } from 'node:crypto';
import { hashKey } from '../identify/key-hash.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 40 base62 characters: about 238 bits. */
const KEY_CHARS = 40;
export const DEFAULT_PREFIX = 'tg_';

/** A random key: the prefix makes it recognisable to people and secret scanners, the rest is base62. */
export function newKey(prefix = DEFAULT_PREFIX): string {
  let out = '';
  while (out.length < KEY_CHARS) {
    for (const byte of randomBytes(KEY_CHARS)) {
      // 248 = 4 × 62: rejecting higher bytes keeps every character equally likely.
      if (byte < 248 && out.length < KEY_CHARS) out += ALPHABET[byte % 62];
    }
  }
  return prefix + out;
}

/** The key as read from stdin: one trailing newline (from `echo` or a file) is not part of it. */
export function keyFromInput(input: string): string {
  return input.replace(/\r?\n$/, '');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Prints the hash of the key on stdin; 2 when stdin holds no key. */
export async function keyHash(io: Output): Promise<number> {
  if (process.stdin.isTTY) io.err('tollgate: type or paste the key, then press Enter and Ctrl-D\n');
  const key = keyFromInput(await readStdin());
  if (key === '') {
    io.err('tollgate: key hash reads the key from stdin, and it was empty\n');
    return 2;
  }
  io.out(`${hashKey(key)}\n`);
  return 0;
}

/** Prints a new key on stdout (alone, for scripts) and the config line for it on stderr. */
export function keyNew(io: Output, prefix = DEFAULT_PREFIX): number {
  const key = newKey(prefix);
  io.out(`${key}\n`);
  io.err(`# give the key to the team; put only its hash in policy-config.yaml:\napi_key_sha256: ${hashKey(key)}\n`);
  return 0;
}
