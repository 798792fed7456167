// Compiles the config's `store:` section into a running BudgetStore (memory or Redis).
import { dirname, resolve } from 'node:path';
import { type MemoryStoreConfig, memoryStoreSchema, type RedisStoreConfig, type StoreConfig } from './config.js';
import { DurableMemoryStore } from './durable-memory.js';
import { StoreSetupError } from './errors.js';
import { MemoryStore } from './memory.js';
import type { RedisStore } from './redis/store.js';
import { defaultStatePath } from './state-file.js';
import type { BudgetStore, StoreLogger } from './types.js';

export { type StoreConfig, storeConfigSchema } from './config.js';
export { StoreNotReadyError, StoreSetupError, StoreUnavailableError } from './errors.js';
export type { BudgetStore, StoreHealth, StoreLogger } from './types.js';

export interface StoreContext {
  /** The config file: relative state files and the default one sit beside it. */
  readonly configFile: string | null;
  /** Where the default state file goes instead ($TOLLGATE_DATA_DIR), when the config's folder is read-only. */
  readonly dataDir?: string | null | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The budget clock, the same one whose `now` the gateway passes to the store. */
  readonly now: () => number;
  readonly logger: StoreLogger;
  /** `deployment.instances`: the Redis store's fallback divides limits by it when `store.instances` is unset. */
  readonly instances?: number | undefined;
  /** Told of every failed call to a shared store (a fixed set of operation names), for metrics. */
  readonly onError?: ((operation: string) => void) | undefined;
}

/** Settings tests shorten; production uses the defaults. */
export interface StoreTuning {
  /** How often a Redis store looks for Redis during an outage (default 1 s). */
  readonly probeMs?: number;
  /** Longest pause between reconnection attempts (default 2 s). */
  readonly reconnectMaxMs?: number;
  /** How long close() waits for in-flight reservations (default 5 s). */
  readonly drainMs?: number;
  /** How often a Redis store renews its leases (default a third of lease_ms). */
  readonly heartbeatMs?: number;
}

/** No `store:` section means the embedded memory store with its default state file. */
export function createStore(
  config: StoreConfig | undefined,
  context: StoreContext,
  tuning: StoreTuning = {},
): Promise<BudgetStore> {
  const c = config ?? memoryStoreSchema.parse({ type: 'memory' });
  return c.type === 'memory' ? openMemoryStore(c, context, tuning) : connectRedisStore(c, context, tuning);
}

export function statePath(
  config: MemoryStoreConfig,
  configFile: string | null,
  dataDir?: string | null,
): string | null {
  if (config.state_file === false) return null;
  if (config.state_file === undefined) return configFile === null ? null : defaultStatePath(configFile, dataDir);
  return resolve(configFile === null ? '.' : dirname(configFile), config.state_file);
}

async function openMemoryStore(
  config: MemoryStoreConfig,
  context: StoreContext,
  tuning: StoreTuning,
): Promise<BudgetStore> {
  const file = statePath(config, context.configFile, context.dataDir);
  if (file === null) return new MemoryStore();
  const { now, logger } = context;
  return DurableMemoryStore.open({
    file,
    flushIntervalMs: config.flush_interval_ms,
    now,
    logger,
    drainMs: tuning.drainMs,
  });
}

export async function connectRedisStore(
  config: RedisStoreConfig,
  context: StoreContext,
  tuning: StoreTuning = {},
): Promise<RedisStore> {
  let password: string | undefined;
  if (config.password_ref) {
    password = context.env[config.password_ref.env];
    if (password === undefined) {
      throw new StoreSetupError(`store.password_ref: environment variable ${config.password_ref.env} is not set`);
    }
  }
  // Loaded only for a Redis store: a memory-store gateway never pays for ioredis.
  const [{ createRedisClient }, { RedisStore }] = await Promise.all([
    import('./redis/client.js'),
    import('./redis/store.js'),
  ]);
  const client = createRedisClient({
    url: config.url,
    clusterNodes: config.cluster_nodes,
    password,
    redisOptions: config.redis_options,
    reconnectMaxMs: tuning.reconnectMaxMs,
  });
  const store = new RedisStore({
    client,
    keyPrefix: config.key_prefix,
    onStoreError: config.on_store_error,
    timeoutMs: config.timeout_ms,
    instances: config.instances ?? context.instances,
    leaseMs: config.lease_ms,
    now: context.now,
    logger: context.logger,
    probeMs: tuning.probeMs,
    drainMs: tuning.drainMs,
    heartbeatMs: tuning.heartbeatMs,
    onError: context.onError,
  });
  return store.start(Math.max(1_000, config.timeout_ms));
}
