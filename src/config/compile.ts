// Compiles a validated config into the runtime form the gateway uses: no YAML past this point.
import { compileModels, type ModelMatcher } from '../../policies/model-access/index.js';
import { type LimitSpec, type NamedLimits, namedLimitSpecs } from '../../policies/rate-limit/index.js';
import type { ChatTarget } from '../../providers/index.js';
import { hashKey } from '../identify/key-hash.js';
import type { Config, RateLimitsConfig } from './schema.js';

/** What one caller is held to: its effective limits and the models it may use. */
export interface Policy {
  /** The consumer group's name, or `default` for callers without a recognised key. */
  readonly group: string;
  readonly limits: NamedLimits;
  readonly specs: readonly LimitSpec[];
  /** null allows every model. */
  readonly models: ModelMatcher | null;
}

export interface RuntimeConfig {
  readonly server: Config['server'];
  readonly budget: Config['budget'];
  readonly responseHeaders: boolean;
  readonly anonymous: 'allow' | 'deny';
  readonly targets: readonly ChatTarget[];
  /** Consumer group policies by the SHA-256 of their key. */
  readonly keys: ReadonlyMap<string, Policy>;
  readonly groups: readonly Policy[];
  readonly defaults: Policy;
}

/** A missing limit inherits from rate_limit_defaults; a limit set nowhere does not apply. */
function effectiveLimits(own: RateLimitsConfig | undefined, defaults: RateLimitsConfig): NamedLimits {
  return {
    requests_per_minute: own?.requests_per_minute ?? defaults.requests_per_minute,
    tokens_per_minute: own?.tokens_per_minute ?? defaults.tokens_per_minute,
    tokens_per_day: own?.tokens_per_day ?? defaults.tokens_per_day,
  };
}

function policy(group: string, limits: NamedLimits, models: readonly string[] | undefined): Policy {
  return { group, limits, specs: namedLimitSpecs(limits), models: models ? compileModels(models) : null };
}

/** Turns a config without errors, and the targets set up from it, into the gateway's runtime form. */
export function compile(config: Config, targets: readonly ChatTarget[]): RuntimeConfig {
  const defaultsConfig = config.rate_limit_defaults;
  const keys = new Map<string, Policy>();
  const groups = config.consumer_groups.map((g) => {
    const p = policy(g.name, effectiveLimits(g.rate_limits, defaultsConfig), g.allowed_models);
    if (g.api_key !== undefined) keys.set(hashKey(g.api_key), p);
    if (g.api_key_sha256 !== undefined) keys.set(g.api_key_sha256.toLowerCase(), p);
    return p;
  });
  return {
    server: config.server,
    budget: config.budget,
    responseHeaders: config.response_headers ?? defaultsConfig.response_headers ?? true,
    anonymous: defaultsConfig.anonymous,
    targets,
    keys,
    groups,
    defaults: policy('default', effectiveLimits(undefined, defaultsConfig), defaultsConfig.allowed_models),
  };
}
