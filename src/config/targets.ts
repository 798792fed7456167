// Sets up each target's adapter; what this machine lacks (an unset secret) is an error to run, a warning to lint.
import {
  type ChatTarget,
  createTarget,
  type TargetConfig,
  type TargetDeps,
  TargetSetupError,
} from '../../providers/index.js';
import type { ConfigIssue, Severity } from './issues.js';
import type { ConfigSource } from './source.js';

export interface SetUp {
  readonly targets: ChatTarget[];
  readonly issues: ConfigIssue[];
}

export function setUpTargets(
  configs: ReadonlyArray<TargetConfig | undefined>,
  source: ConfigSource,
  deps: TargetDeps,
  severity: Severity,
): SetUp {
  const targets: ChatTarget[] = [];
  const issues: ConfigIssue[] = [];
  configs.forEach((t, i) => {
    if (!t) return;
    try {
      targets.push(createTarget(t, deps, ['providers', 'targets', i]));
    } catch (err) {
      if (!(err instanceof TargetSetupError)) throw err;
      const hint = severity === 'warning' ? '`tollgate run` refuses to start until it is set' : undefined;
      issues.push(source.issue(severity, 'target_setup', [...err.path], err.message, hint));
    }
  });
  return { targets, issues };
}
