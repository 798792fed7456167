// The Redis the store tests run against: found at REDIS_URL, or skipped loudly (failed in CI).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe } from 'vitest';
import { redisStoreSchema } from '../../src/stores/config.js';
import { connectRedisStore, type StoreTuning } from '../../src/stores/index.js';
import type { RedisStore } from '../../src/stores/redis/store.js';
import type { StoreLogger } from '../../src/stores/types.js';
import type { TestClock } from '../helpers/clock.js';
import { captureLogger } from './logger.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function reachable(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

export const redisUp = await reachable(REDIS_URL);
if (!redisUp) {
  const why = `no Redis answers at ${REDIS_URL}`;
  if (process.env.TOLLGATE_REQUIRE_REDIS === '1') throw new Error(`TOLLGATE_REQUIRE_REDIS=1 but ${why}`);
  console.warn(
    `\n${'!'.repeat(78)}\n!! SKIPPING the Redis store tests: ${why}.\n!! Start one (redis-server) or set REDIS_URL; CI sets TOLLGATE_REQUIRE_REDIS=1 to fail instead.\n${'!'.repeat(78)}\n`,
  );
}

/** `describe` when Redis is reachable, `describe.skip` otherwise. */
export const describeRedis: (name: string, body: () => void) => void = redisUp ? describe : describe.skip;

/** A key prefix no other test uses. */
export const uniquePrefix = () => `tollgate-test:${randomUUID()}`;

export interface RedisStoreSetup {
  readonly url?: string;
  readonly prefix: string;
  readonly clock: TestClock;
  readonly logger?: StoreLogger;
  readonly config?: Record<string, unknown>;
  readonly tuning?: StoreTuning;
  /** `deployment.instances`, as `tollgate run` passes it. */
  readonly deploymentInstances?: number;
  /** Told of every failed store call, as the store-errors metric is. */
  readonly onError?: (operation: string) => void;
}

/**
 * A RedisStore as `store: {type: redis}` would build it, with fast test tuning. Its timeout is
 * generous: on a loaded machine a 250 ms one would send exactness tests to the local fallback.
 */
export function redisStore(setup: RedisStoreSetup): Promise<RedisStore> {
  const config = redisStoreSchema.parse({
    type: 'redis',
    url: setup.url ?? REDIS_URL,
    key_prefix: setup.prefix,
    timeout_ms: 5_000,
    ...setup.config,
  });
  const logger = setup.logger ?? captureLogger();
  const context = {
    configFile: null,
    env: {},
    now: setup.clock.now,
    logger,
    instances: setup.deploymentInstances,
    onError: setup.onError,
  };
  return connectRedisStore(config, context, { probeMs: 50, reconnectMaxMs: 100, drainMs: 0, ...setup.tuning });
}

/** Deletes every key a test wrote under its prefix. */
export async function dropPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 0 });
  try {
    const keys = await redis.keys(`{${prefix}}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
