// The `store:` section of policy-config.yaml: where budget counters live (memory or Redis).
import { z } from 'zod';

export const memoryStoreSchema = z.strictObject({
  type: z.literal('memory'),
  /**
   * Where counters are kept across restarts. Relative paths are relative to the config file;
   * default `.tollgate-state.<config name>.json` beside it; `false` keeps counters in memory only.
   */
  state_file: z.union([z.string().min(1), z.literal(false)]).optional(),
  /** How often counters are written: a crash loses at most this much usage. */
  flush_interval_ms: z.number().int().positive().default(5_000),
});

export const redisStoreSchema = z.strictObject({
  type: z.literal('redis'),
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. Ignored with cluster_nodes. */
  url: z.string().min(1).default('redis://127.0.0.1:6379'),
  /** Redis Cluster: the start-up nodes (`redis://host:port`); ioredis discovers the rest. */
  cluster_nodes: z.array(z.string().min(1)).min(1).optional(),
  /** The Redis password, read from the environment at start (keeps it out of the YAML). */
  password_ref: z.strictObject({ env: z.string().min(1) }).optional(),
  /**
   * Passed as is to ioredis: Sentinel (`sentinels`, `name`), `tls`, `username`, `db`, …
   * For Cluster they are the `redisOptions` of each node.
   */
  redis_options: z.record(z.string(), z.unknown()).optional(),
  /** Every key starts with `{key_prefix}:`; the braces keep all of them in one Cluster slot. */
  key_prefix: z.string().min(1).default('tollgate'),
  /** No request waits longer than this for Redis; past it, on_store_error applies. */
  timeout_ms: z.number().int().positive().default(250),
  /**
   * When Redis is unreachable or slow: `local` enforces each limit divided by the number of
   * instances in this process; `fail_open` admits without counting; `fail_closed` answers 503.
   */
  on_store_error: z.enum(['local', 'fail_open', 'fail_closed']).default('local'),
  /** How many gateway instances share the limits; default: the number seen in Redis. */
  instances: z.number().int().positive().optional(),
  /** A reservation not renewed for this long (its instance died) is given back. */
  lease_ms: z.number().int().min(1_000).default(60_000),
});

export const storeConfigSchema = z.discriminatedUnion('type', [memoryStoreSchema, redisStoreSchema]);

export type StoreConfig = z.infer<typeof storeConfigSchema>;
export type MemoryStoreConfig = z.infer<typeof memoryStoreSchema>;
export type RedisStoreConfig = z.infer<typeof redisStoreSchema>;
