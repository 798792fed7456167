// The policy-config.yaml schema (seed 003's format plus tollgate's fields), one source of truth.
import { z } from 'zod';
import { targetSchema } from '../../providers/index.js';
import { eventsConfigSchema } from '../events/config.js';
import { storeConfigSchema } from '../stores/config.js';

const limit = z.number().int().positive();

const windowType = z.enum(['sliding', 'fixed']);

/** Kong's `window_size` / `limit` per provider: any period, requests or tokens, optionally per target. */
export const windowSchema = z
  .strictObject({
    seconds: z.number().int().positive(),
    requests: limit.optional(),
    tokens: limit.optional(),
    /** Counts only traffic to the provider target with this id. */
    provider: z.string().min(1).optional(),
    window_type: windowType.optional(),
  })
  .refine((w) => w.requests !== undefined || w.tokens !== undefined, {
    message: 'a window limits requests, tokens or both: set at least one',
  });

/** A quota's limits per period (Kong's response-ratelimiting), counted in fixed windows. */
const quotaLimitsSchema = z
  .strictObject({
    second: limit.optional(),
    minute: limit.optional(),
    hour: limit.optional(),
    day: limit.optional(),
    month: limit.optional(),
  })
  .refine((q) => Object.keys(q).length > 0, { message: 'a quota needs a limit for at least one period' });

export const rateLimitsSchema = z.strictObject({
  requests_per_minute: limit.optional(),
  tokens_per_minute: limit.optional(),
  tokens_per_day: limit.optional(),
  /** How the three limits above count: `sliding` (the default) or `fixed` windows. */
  window_type: windowType.optional(),
  windows: z.array(windowSchema).optional(),
  /** Named quotas the upstream increments through its usage header: `{Videos: {minute: 10}}`. */
  quotas: z
    .record(
      z.string().regex(/^[A-Za-z][\w-]*$/, 'a quota name is a letter followed by letters, digits, _ or -'),
      quotaLimitsSchema,
    )
    .optional(),
});

export const quotasSchema = z.strictObject({
  /** The upstream response header that reports quota usage as `name=2, other=4`. */
  header: z.string().min(1).default('X-Quota-Usage'),
});

const modelList = z.array(z.string().min(1));
const sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal characters (a SHA-256 digest)');

export const consumerGroupSchema = z.strictObject({
  name: z.string().min(1),
  api_key: z.string().min(1).optional(),
  api_key_sha256: sha256Hex.optional(),
  rate_limits: rateLimitsSchema.optional(),
  allowed_models: modelList.optional(),
  /** Consumers in this group draw from one bucket for the group's limits, instead of one each. */
  shared: z.boolean().optional(),
});

/** Kong's consumers: a user with its own keys, groups and, optionally, its own settings. */
export const consumerSchema = z.strictObject({
  username: z.string().min(1),
  api_key: z.string().min(1).optional(),
  api_keys: z.array(z.string().min(1)).optional(),
  api_key_sha256: sha256Hex.optional(),
  api_keys_sha256: z.array(sha256Hex).optional(),
  /** Its groups in precedence order: the first group that sets a limit or model list wins. */
  groups: z.array(z.string().min(1)).optional(),
  rate_limits: rateLimitsSchema.optional(),
  allowed_models: modelList.optional(),
});

/** A Kong-style route: OpenAI chat bodies posted to `path` go to one target, whatever the model. */
export const routeSchema = z.strictObject({
  path: z.string().regex(/^\/[\w\-./~]*$/, 'must be a URL path starting with /'),
  target: z.string().min(1),
});

export const rateLimitDefaultsSchema = rateLimitsSchema.extend({
  /** Seed 003's troubleshooting names it here; the top-level field means the same. */
  response_headers: z.boolean().optional(),
  /** What a request with no key or an unknown key gets: the defaults, or 401. */
  anonymous: z.enum(['allow', 'deny']).default('allow'),
  /** Such callers over IPv6 are counted per network of this prefix length, not per address. */
  ipv6_prefix: z.number().int().min(1).max(128).default(64),
  allowed_models: modelList.optional(),
});

export const serverSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(41002),
  max_body_bytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
  /** Take the client address from X-Forwarded-For (behind a load balancer). */
  trust_proxy: z.boolean().default(false),
  /** On SIGTERM, how long requests in flight may run on before their connections are cut. */
  shutdown_grace_ms: z.number().int().min(0).max(3_600_000).default(10_000),
  /**
   * On SIGTERM, how long to go on accepting requests while /readyz answers 503, so a load balancer
   * takes the instance out before its listener closes.
   */
  drain_delay_ms: z.number().int().min(0).max(600_000).default(0),
});

export const budgetSchema = z.strictObject({
  /** Output tokens reserved when a request names no max_tokens / max_completion_tokens. */
  default_output_tokens: z.number().int().positive().default(4096),
  /** A request that cannot get at least this allowance (or its own smaller max) is refused. */
  min_output_tokens: z.number().int().positive().default(256),
  /** Set the upstream's output cap to the reserved allowance, so no answer outspends it. */
  cap_upstream_output: z.boolean().default(true),
});

export const policySchema = z.strictObject({
  name: z.string().min(1),
  type: z.string().min(1),
  action: z.string().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});

/** How the gateway is deployed: lint checks the store against it; the gateway itself ignores it. */
export const deploymentSchema = z.strictObject({
  /** Gateway instances serving this config at once (behind one load balancer). */
  instances: z.number().int().positive().default(1),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.union([z.literal('1'), z.literal(1)]).default('1'),
  server: serverSchema.default(serverSchema.parse({})),
  providers: z.strictObject({ targets: z.array(targetSchema).min(1, 'at least one target is needed') }),
  consumer_groups: z.array(consumerGroupSchema).default([]),
  consumers: z.array(consumerSchema).default([]),
  routes: z.array(routeSchema).default([]),
  quotas: quotasSchema.default(quotasSchema.parse({})),
  rate_limit_defaults: rateLimitDefaultsSchema.default(rateLimitDefaultsSchema.parse({})),
  response_headers: z.boolean().optional(),
  budget: budgetSchema.default(budgetSchema.parse({})),
  policies: z.array(policySchema).default([]),
  deployment: deploymentSchema.optional(),
  store: storeConfigSchema.optional(),
  events: eventsConfigSchema.optional(),
});

export type Config = z.infer<typeof configSchema>;
export type ConsumerGroupConfig = z.infer<typeof consumerGroupSchema>;
export type RateLimitsConfig = z.infer<typeof rateLimitsSchema>;
export type ConsumerConfig = z.infer<typeof consumerSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
