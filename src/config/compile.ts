// Compiles a validated config into the runtime form the gateway uses: no YAML past this point.
import { compileModels, type ModelMatcher } from '../../policies/model-access/index.js';
import {
  type GroupSettings,
  type LimitSpec,
  type NamedLimits,
  resolveChecks,
  resolveQuotaChecks,
  type SettingSources,
} from '../../policies/rate-limit/index.js';
import type { ChatTarget } from '../../providers/index.js';
import { hashKey } from '../identify/key-hash.js';
import type { Config, ConsumerConfig, ConsumerGroupConfig } from './schema.js';

/** What one caller is held to: its limits (by precedence) and the models it may use. */
export interface Policy {
  /** The consumer group reported for the caller: its group, a consumer's first group, or `default`. */
  readonly group: string;
  /** The consumer's username; null for group keys and unknown callers. */
  readonly consumer: string | null;
  /** The three named limits in effect, for summaries. */
  readonly limits: NamedLimits;
  /** Every limit in effect (named and windows), unbound to any counter. */
  readonly specs: readonly LimitSpec[];
  /** Where each setting comes from, to bind the limits to a caller's counters. */
  readonly sources: SettingSources;
  /** null allows every model. */
  readonly models: ModelMatcher | null;
}

/** A key's owner: its policy and the counter its own limits draw from. */
export interface Principal {
  readonly policy: Policy;
  readonly bucket: string;
}

export interface RuntimeConfig {
  readonly server: Config['server'];
  readonly budget: Config['budget'];
  readonly responseHeaders: boolean;
  readonly anonymous: 'allow' | 'deny';
  /** Callers without a known key over IPv6 are counted per network of this prefix length. */
  readonly ipv6Prefix: number;
  readonly targets: readonly ChatTarget[];
  /** The upstream response header that reports quota usage. */
  readonly quotaHeader: string;
  /** Kong-style routes: path → the target that serves every request posted there. */
  readonly routes: ReadonlyMap<string, ChatTarget>;
  /** Key owners by the SHA-256 of the key. */
  readonly keys: ReadonlyMap<string, Principal>;
  /** Consumer groups as a group key's caller sees them (the group's own bucket). */
  readonly groups: readonly Policy[];
  readonly consumers: readonly Policy[];
  readonly defaults: Policy;
}

function policy(group: string, consumer: string | null, sources: SettingSources, models: ModelMatcher | null): Policy {
  const specs = [...resolveChecks(sources, ''), ...resolveQuotaChecks(sources, '')].map((c) => c.spec);
  const limits: Record<string, number> = {};
  for (const spec of specs) if (spec.unit !== 'quota') limits[spec.name] = spec.limit;
  return { group, consumer, limits, specs, sources, models };
}

/** The first model list by precedence: the consumer's, its first group's that has one, the defaults'. */
function firstModels(...lists: Array<readonly string[] | undefined>): ModelMatcher | null {
  const found = lists.find((l) => l !== undefined);
  return found ? compileModels(found) : null;
}

function keyHashes(owner: ConsumerGroupConfig | ConsumerConfig): string[] {
  const plain = [...('api_keys' in owner ? (owner.api_keys ?? []) : []), ...(owner.api_key ? [owner.api_key] : [])];
  const hashed = [
    ...('api_keys_sha256' in owner ? (owner.api_keys_sha256 ?? []) : []),
    ...(owner.api_key_sha256 ? [owner.api_key_sha256] : []),
  ];
  return [...plain.map(hashKey), ...hashed.map((h) => h.toLowerCase())];
}

/** Turns a config without errors, and the targets set up from it, into the gateway's runtime form. */
export function compile(config: Config, targets: readonly ChatTarget[]): RuntimeConfig {
  const defaultsConfig = config.rate_limit_defaults;
  const keys = new Map<string, Principal>();
  const byName = new Map(config.consumer_groups.map((g) => [g.name, g] as const));
  const settings = (g: ConsumerGroupConfig, shared: boolean): GroupSettings => ({
    name: g.name,
    shared,
    rate_limits: g.rate_limits,
  });

  // A group's own key is the whole team's: its callers always share the group's bucket (seed 003).
  const groups = config.consumer_groups.map((g) => {
    const p = policy(
      g.name,
      null,
      { groups: [settings(g, true)], defaults: defaultsConfig },
      firstModels(g.allowed_models, defaultsConfig.allowed_models),
    );
    for (const hash of keyHashes(g)) keys.set(hash, { policy: p, bucket: `group:${g.name}` });
    return p;
  });

  const consumers = config.consumers.map((c) => {
    const memberOf = (c.groups ?? []).map((name) => byName.get(name)).filter((g) => g !== undefined);
    const p = policy(
      memberOf[0]?.name ?? 'default',
      c.username,
      { own: c.rate_limits, groups: memberOf.map((g) => settings(g, g.shared ?? false)), defaults: defaultsConfig },
      firstModels(c.allowed_models, ...memberOf.map((g) => g.allowed_models), defaultsConfig.allowed_models),
    );
    for (const hash of keyHashes(c)) keys.set(hash, { policy: p, bucket: `consumer:${c.username.toLowerCase()}` });
    return p;
  });

  const byId = new Map(targets.map((t) => [t.id, t] as const));
  const routes = new Map<string, ChatTarget>();
  for (const r of config.routes) {
    const target = byId.get(r.target);
    if (target) routes.set(r.path, target);
  }

  return {
    server: config.server,
    budget: config.budget,
    responseHeaders: config.response_headers ?? defaultsConfig.response_headers ?? true,
    anonymous: defaultsConfig.anonymous,
    ipv6Prefix: defaultsConfig.ipv6_prefix,
    targets,
    quotaHeader: config.quotas.header,
    routes,
    keys,
    groups,
    consumers,
    defaults: policy(
      'default',
      null,
      { groups: [], defaults: defaultsConfig },
      firstModels(defaultsConfig.allowed_models),
    ),
  };
}
