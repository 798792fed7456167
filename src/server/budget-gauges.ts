// Gauges read at scrape time: each configured group's budget per limit, and whether the store is degraded.
import { Gauge, type Registry } from 'prom-client';
import type { LimitSnapshot } from '../../policies/rate-limit/index.js';
import type { RuntimeConfig } from '../config/compile.js';
import type { BudgetStore } from '../stores/types.js';
import { policyChecks } from './group-checks.js';

export interface StoreView {
  readonly store: BudgetStore;
  readonly now: () => number;
}

/** One scrape reads the store once for its three gauges; a later scrape reads it again. */
const FRESH_MS = 1_000;

/** Registers the gauges; they read `view()` on each scrape and stay empty until it returns a store. */
export function registerBudgetGauges(registry: Registry, config: RuntimeConfig, view: () => StoreView | undefined) {
  // Groups only: consumers and client addresses would make the label set unbounded.
  const groups = [...policyChecks(config)].filter(([p]) => p.consumer === null);
  const checks = groups.flatMap(([, cs]) => cs);
  const owners = groups.flatMap(([p, cs]) => cs.map(() => p.group));
  let last: { at: number; snapshots: Promise<LimitSnapshot[] | null> } | undefined;
  const read = (): Promise<LimitSnapshot[] | null> => {
    const source = view();
    if (!source || checks.length === 0) return Promise.resolve(null);
    const at = source.now();
    if (!last || at - last.at >= FRESH_MS || at < last.at) {
      // One snapshot call for every group: one round trip on Redis. A failing store shows no budgets.
      last = { at, snapshots: source.store.snapshot(checks, at).catch(() => null) };
    }
    return last.snapshots;
  };
  const gauge = (name: string, help: string, value: (s: LimitSnapshot) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['group', 'limit'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const snapshots = await read();
        snapshots?.forEach((s, i) => {
          this.set({ group: owners[i]!, limit: s.check.spec.name }, value(s));
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
