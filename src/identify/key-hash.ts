// Keys are stored and looked up by their SHA-256, so lookups never compare secrets directly.
import { createHash } from 'node:crypto';

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
