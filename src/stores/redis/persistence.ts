// Whether Redis keeps its data across its own restart: one that does not resets every budget when it does.
import { z } from 'zod';
import type { StoreLogger } from '../types.js';
import type { RedisClient } from './client.js';
import { withDeadline } from './deadline.js';

/** `unknown`: Redis refused to say (managed services often refuse CONFIG) or did not answer in time. */
export type Persistence = 'rdb' | 'aof' | 'rdb+aof' | 'none' | 'unknown';

export interface PersistenceCheck {
  readonly persistence: Persistence;
  /** What an operator must know, for the log and the store's health; null when nothing. */
  readonly warning: string | null;
}

export const NO_PERSISTENCE =
  'Redis persists nothing (save "", appendonly no): when it restarts, every budget starts again from zero, day budgets included';

/** CONFIG GET answers `[name, value]`. */
const configReply = z.tuple([z.string(), z.string()]);

async function configValue(client: RedisClient, name: string, timeoutMs: number): Promise<string> {
  return configReply.parse(await withDeadline(client.config('GET', name), timeoutMs))[1];
}

/** Reads `save` and `appendonly` (never throws), and logs what the operator must know. */
export async function checkPersistence(
  client: RedisClient,
  timeoutMs: number,
  logger: StoreLogger,
): Promise<PersistenceCheck> {
  let save: string;
  let appendonly: string;
  try {
    [save, appendonly] = await Promise.all([
      configValue(client, 'save', timeoutMs),
      configValue(client, 'appendonly', timeoutMs),
    ]);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    logger.info(
      { persistence: 'unknown', reason },
      'budget store: Redis did not show its persistence settings (CONFIG GET); make sure it persists (RDB or AOF), or a Redis restart resets every budget',
    );
    return { persistence: 'unknown', warning: null };
  }
  const rdb = save.trim() !== '';
  const aof = appendonly === 'yes';
  if (rdb || aof) return { persistence: rdb && aof ? 'rdb+aof' : rdb ? 'rdb' : 'aof', warning: null };
  logger.warn({ persistence: 'none' }, `budget store: ${NO_PERSISTENCE}`);
  return { persistence: 'none', warning: NO_PERSISTENCE };
}
