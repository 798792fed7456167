// The policy-config.yaml schema (seed 003's format plus tollgate's fields), one source of truth.
import { z } from 'zod';
import { targetSchema } from '../../providers/index.js';
import { eventsConfigSchema } from '../events/config.js';
import { storeConfigSchema } from '../stores/config.js';

const limit = z.number().int().positive();

export const rateLimitsSchema = z.strictObject({
  requests_per_minute: limit.optional(),
  tokens_per_minute: limit.optional(),
  tokens_per_day: limit.optional(),
});

const modelList = z.array(z.string().min(1));
const sha256Hex = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal characters (a SHA-256 digest)');

export const consumerGroupSchema = z.strictObject({
  name: z.string().min(1),
  api_key: z.string().min(1).optional(),
  api_key_sha256: sha256Hex.optional(),
  rate_limits: rateLimitsSchema.optional(),
  allowed_models: modelList.optional(),
});

export const rateLimitDefaultsSchema = rateLimitsSchema.extend({
  /** Seed 003's troubleshooting names it here; the top-level field means the same. */
  response_headers: z.boolean().optional(),
  /** What a request with no key or an unknown key gets: the defaults, or 401. */
  anonymous: z.enum(['allow', 'deny']).default('allow'),
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
