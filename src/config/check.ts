// Semantic checks beyond the schema: names, models and deployment that must agree across the file.
import { compileModels, overlaps } from '../../policies/model-access/index.js';
import { checkReferences } from './check-consumers.js';
import { checkKeys } from './check-keys.js';
import { checkLimits } from './check-limits.js';
import { type ConfigIssue, formatPath, type PathSegment } from './issues.js';
import type { Checkable } from './salvage.js';
import type { ConfigSource } from './source.js';

/** Where checks put their findings; the source turns each path into a line and column. */
export interface Report {
  error(code: string, path: readonly PathSegment[], message: string, hint?: string): void;
  warn(code: string, path: readonly PathSegment[], message: string, hint?: string): void;
}

/** Policy types this version enforces; others are accepted but reported, never silently ignored. */
const ENFORCED_POLICY_TYPES: readonly string[] = [];

export function checkConfig(config: Checkable, source: ConfigSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const report: Report = {
    error: (code, path, message, hint) => issues.push(source.issue('error', code, path, message, hint)),
    warn: (code, path, message, hint) => issues.push(source.issue('warning', code, path, message, hint)),
  };
  const targets = config.providers.targets;
  unique(
    report,
    'duplicate_target',
    'target id',
    ['providers', 'targets'],
    'id',
    targets.map((t) => t?.id),
  );
  unique(
    report,
    'duplicate_group',
    'consumer group name',
    ['consumer_groups'],
    'name',
    config.consumer_groups.map((g) => g?.name),
  );
  unique(
    report,
    'duplicate_consumer',
    'consumer username',
    ['consumers'],
    'username',
    config.consumers.map((c) => c?.username),
  );
  checkReferences(config, report);
  checkModels(config, report);
  checkKeys(config, report);
  checkLimits(config, report);
  checkDeployment(config, report);
  config.policies.forEach((p, i) => {
    if (p && !ENFORCED_POLICY_TYPES.includes(p.type)) {
      report.warn(
        'policy_not_enforced',
        ['policies', i, 'type'],
        `policy "${p.name}" of type "${p.type}" is accepted but not enforced by this version of tollgate`,
      );
    }
  });
  return issues;
}

/** Names in a list must differ, ignoring case: "Marketing" and "marketing" would be confused in logs and headers. */
function unique(
  report: Report,
  code: string,
  what: string,
  list: readonly PathSegment[],
  field: string,
  names: ReadonlyArray<string | undefined>,
): void {
  const first = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === undefined) return;
    const earlier = first.get(name.toLowerCase());
    if (earlier === undefined) first.set(name.toLowerCase(), i);
    else
      report.error(
        code,
        [...list, i, field],
        `${what} "${name}" is already used by ${formatPath([...list, earlier])}`,
        `each ${what} must be unique (compared without case)`,
      );
  });
}

function checkModels(config: Checkable, report: Report): void {
  const targets = config.providers.targets;
  // With no target at all the schema has already said so; every model would be reported again.
  if (targets.length === 0) return;
  // A target that could not be read might serve anything: do not guess against it.
  const served = targets.map((t) => (t?.models ? compileModels(t.models) : null));
  const servable = (model: string) => served.some((m) => m === null || overlaps(model, m));
  const check = (models: readonly string[] | undefined, at: readonly PathSegment[]): void => {
    models?.forEach((model, j) => {
      if (!servable(model))
        report.error(
          'model_not_served',
          [...at, 'allowed_models', j],
          `model "${model}" is allowed but no provider target serves it`,
          "add it to a target's models, or add a target without a models list",
        );
    });
  };
  config.consumer_groups.forEach((g, i) => {
    check(g?.allowed_models, ['consumer_groups', i]);
  });
  config.consumers.forEach((c, i) => {
    check(c?.allowed_models, ['consumers', i]);
  });
  check(config.rate_limit_defaults.allowed_models, ['rate_limit_defaults']);
}

/** Counters in memory are per instance: N instances would each admit the whole budget. */
function checkDeployment(config: Checkable, report: Report): void {
  const instances = config.deployment?.instances ?? 1;
  if (instances <= 1 || config.store === null || config.store?.type === 'redis') return;
  report.error(
    'instances_without_shared_store',
    ['deployment', 'instances'],
    `${instances} instances are declared but budget counters are kept in each instance's memory: together they would admit up to ${instances}× every limit`,
    'add `store: {type: redis, url: ...}` so the instances share one set of counters, or set deployment.instances to 1',
  );
}
