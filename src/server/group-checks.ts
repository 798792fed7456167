// The counters each configured group and consumer draws from, bound the way the identifier binds them.
import { type LimitCheck, resolveChecks } from '../../policies/rate-limit/index.js';
import type { Policy, RuntimeConfig } from '../config/compile.js';

/** A key's caller uses its principal's bucket; a keyless group its shared one, a keyless consumer its own. */
export function policyChecks(config: RuntimeConfig): Map<Policy, LimitCheck[]> {
  const bucketOf = new Map<Policy, string>();
  for (const principal of config.keys.values()) bucketOf.set(principal.policy, principal.bucket);
  const checks = new Map<Policy, LimitCheck[]>();
  for (const p of config.groups) checks.set(p, resolveChecks(p.sources, bucketOf.get(p) ?? `group:${p.group}`));
  for (const p of config.consumers) {
    const bucket = bucketOf.get(p) ?? `consumer:${(p.consumer ?? '').toLowerCase()}`;
    checks.set(p, resolveChecks(p.sources, bucket));
  }
  return checks;
}
