// Gauges read at scrape time: each configured group's budget per limit, and whether the store is degraded.
import { Gauge, type Registry } from 'prom-client';
import type { LimitCheck, LimitSnapshot } from '../../policies/rate-limit/index.js';
import type { RuntimeConfig } from '../config/compile.js';
import type { BudgetStore } from '../stores/types.js';
import { policyChecks } from './group-checks.js';

export interface StoreView {
  readonly store: BudgetStore;
  readonly now: () => number;
  /** The config in force: its groups are the gauges' labels. */
  readonly config: RuntimeConfig;
}

interface GroupChecks {
  readonly config: RuntimeConfig;
  readonly checks: LimitCheck[];
  /** The group of each check. */
  readonly owners: string[];
}

function groupChecks(config: RuntimeConfig): GroupChecks {
  // Groups only: consumers and client addresses would make the label set unbounded.
  const groups = [...policyChecks(config)].filter(([p]) => p.consumer === null);
  return {
    config,
    checks: groups.flatMap(([, cs]) => cs),
    owners: groups.flatMap(([p, cs]) => cs.map(() => p.group)),
  };
}

/** One scrape reads the store once for its three gauges; a later scrape reads it again. */
const FRESH_MS = 1_000;

/** Registers the gauges; they read `view()` on each scrape and stay empty until it returns a store. */
export function registerBudgetGauges(registry: Registry, view: () => StoreView | undefined) {
  let groups: GroupChecks | undefined;
  let last: { at: number; groups: GroupChecks; snapshots: Promise<LimitSnapshot[] | null> } | undefined;
  const read = async (): Promise<{ owners: string[]; snapshots: LimitSnapshot[] } | null> => {
    const source = view();
    if (!source) return null;
    if (groups?.config !== source.config) groups = groupChecks(source.config);
    const at = source.now();
    if (!last || last.groups !== groups || at - last.at >= FRESH_MS || at < last.at) {
      // One snapshot call for every group: one round trip on Redis. A failing store shows no budgets.
      const snapshots = groups.checks.length === 0 ? Promise.resolve([]) : source.store.snapshot(groups.checks, at);
      last = { at, groups, snapshots: snapshots.catch(() => null) };
    }
    const snapshots = await last.snapshots;
    return snapshots && { owners: last.groups.owners, snapshots };
  };
  const gauge = (name: string, help: string, value: (s: LimitSnapshot) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['group', 'limit'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const found = await read();
        found?.snapshots.forEach((s, i) => {
          this.set({ group: found.owners[i]!, limit: s.check.spec.name }, value(s));
        });
      },
    });
  gauge(
    'tollgate_budget_limit',
    "A group's limit, by the limit's name (its window or day).",
    (s) => s.check.spec.limit,
  );
  gauge('tollgate_budget_used', 'What a group has used of a limit, reservations in flight included.', (s) => s.used);
  gauge('tollgate_budget_remaining', 'What a group has left of a limit now.', (s) => s.remaining);
  new Gauge({
    name: 'tollgate_store_degraded',
    help: 'Whether the shared budget store is unreachable and on_store_error applies (1) or not (0).',
    registers: [registry],
    collect() {
      this.set(view()?.store.health?.().status === 'degraded' ? 1 : 0);
    },
  });
}
