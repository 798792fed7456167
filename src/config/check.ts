// Semantic checks beyond the schema: names, keys and models that must agree across the file.
import { compileModels, overlaps } from '../../policies/model-access/index.js';
import { hashKey } from '../identify/key-hash.js';
import type { ConfigIssue, PathSegment } from './issues.js';
import type { Config } from './schema.js';
import type { ConfigSource } from './source.js';

/** Policy types this version enforces; others are accepted but reported, never silently ignored. */
const ENFORCED_POLICY_TYPES: readonly string[] = [];

export function checkConfig(config: Config, source: ConfigSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const error = (code: string, path: PathSegment[], message: string, hint?: string) =>
    issues.push(source.issue('error', code, path, message, hint));
  const warn = (code: string, path: PathSegment[], message: string, hint?: string) =>
    issues.push(source.issue('warning', code, path, message, hint));

  const targetIds = new Map<string, number>();
  config.providers.targets.forEach((t, i) => {
    const first = targetIds.get(t.id);
    if (first !== undefined)
      error(
        'duplicate_target',
        ['providers', 'targets', i, 'id'],
        `target id "${t.id}" is already used by providers.targets[${first}]`,
      );
    else targetIds.set(t.id, i);
  });

  const groupNames = new Map<string, number>();
  const keyOwners = new Map<string, string>();
  const served = config.providers.targets.map((t) => (t.models ? compileModels(t.models) : null));
  const servable = (model: string) => served.some((m) => m === null || overlaps(model, m));

  config.consumer_groups.forEach((g, i) => {
    const at = ['consumer_groups', i] as PathSegment[];
    const name = g.name.toLowerCase();
    const first = groupNames.get(name);
    if (first !== undefined)
      error(
        'duplicate_group',
        [...at, 'name'],
        `consumer group name "${g.name}" is already used by consumer_groups[${first}]`,
      );
    else groupNames.set(name, i);

    if (g.api_key !== undefined && g.api_key_sha256 !== undefined) {
      error('conflicting_keys', [...at, 'api_key_sha256'], 'set api_key or api_key_sha256, not both');
    }
    const keys: Array<[PathSegment[], string]> = [];
    if (g.api_key !== undefined) keys.push([[...at, 'api_key'], hashKey(g.api_key)]);
    if (g.api_key_sha256 !== undefined) keys.push([[...at, 'api_key_sha256'], g.api_key_sha256.toLowerCase()]);
    for (const [path, hash] of keys) {
      const owner = keyOwners.get(hash);
      if (owner !== undefined)
        error('duplicate_key', path, `this API key is already used by ${owner}`, 'every team needs its own key');
      else keyOwners.set(hash, `consumer group "${g.name}"`);
    }
    if (keys.length === 0)
      warn('group_without_key', at, `consumer group "${g.name}" has no api_key: no request can use it`);

    (g.allowed_models ?? []).forEach((model, j) => {
      if (!servable(model)) {
        error(
          'model_not_served',
          [...at, 'allowed_models', j],
          `model "${model}" is allowed but no provider target serves it`,
          "add it to a target's models, or add a target without a models list",
        );
      }
    });
  });

  (config.rate_limit_defaults.allowed_models ?? []).forEach((model, j) => {
    if (!servable(model))
      error(
        'model_not_served',
        ['rate_limit_defaults', 'allowed_models', j],
        `model "${model}" is allowed but no provider target serves it`,
      );
  });

  config.policies.forEach((p, i) => {
    if (!ENFORCED_POLICY_TYPES.includes(p.type)) {
      warn(
        'policy_not_enforced',
        ['policies', i, 'type'],
        `policy "${p.name}" of type "${p.type}" is accepted but not enforced by this version of tollgate`,
      );
    }
  });
  return issues;
}
