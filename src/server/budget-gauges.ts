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
  /** How many groups there are. */
  readonly names: number;
}

function groupChecks(config: RuntimeConfig): GroupChecks {
  // Groups only: consumers and client addresses would make the label set unbounded.
  const groups = [...policyChecks(config)].filter(([p]) => p.consumer === null);
  return {
    config,
    checks: groups.flatMap(([, cs]) => cs),
    owners: groups.flatMap(([p, cs]) => cs.map(() => p.group)),
    names: groups.length,
  };
}

/** One scrape reads the store once for its three gauges; a later scrape reads it again. */
const FRESH_MS = 1_000;
/** Checks read per store call: a scrape of 10,000 groups is many short steps, never one long one. */
const BATCH = 2_048;
/**
 * Groups shown at most: all of them in most configs; past this, the ones closest to a limit. Each
 * shown group costs three series per limit, in Prometheus as in each scrape.
 */
export const MAX_GROUPS_SHOWN = 1_000;

interface Shown {
  readonly group: string;
  readonly snapshot: LimitSnapshot;
}

/** The snapshots of the groups to show: every group, or the MAX_GROUPS_SHOWN nearest to a limit. */
function shown(groups: GroupChecks, snapshots: readonly LimitSnapshot[]): Shown[] {
  const all = snapshots.map((snapshot, i) => ({ group: groups.owners[i]!, snapshot }));
  if (groups.names <= MAX_GROUPS_SHOWN) return all;
  const nearest = new Map<string, number>();
  for (const { group, snapshot } of all) {
    const share = snapshot.used / snapshot.check.spec.limit;
    nearest.set(group, Math.max(nearest.get(group) ?? 0, share));
  }
  const kept = new Set(
    [...nearest]
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_GROUPS_SHOWN)
      .map(([group]) => group),
  );
  return all.filter((s) => kept.has(s.group));
}

/** Registers the gauges; they read `view()` on each scrape and stay empty until it returns a store. */
export function registerBudgetGauges(registry: Registry, view: () => StoreView | undefined) {
  let groups: GroupChecks | undefined;
  let last: { at: number; groups: GroupChecks; shown: Promise<Shown[] | null> } | undefined;
  const snapshotAll = async (source: StoreView, of: GroupChecks, at: number): Promise<Shown[] | null> => {
    const snapshots: LimitSnapshot[] = [];
    try {
      for (let i = 0; i < of.checks.length; i += BATCH)
        snapshots.push(...(await source.store.snapshot(of.checks.slice(i, i + BATCH), at)));
    } catch {
      return null; // a failing store shows no budgets
    }
    return shown(of, snapshots);
  };
  const read = (): Promise<Shown[] | null> => {
    const source = view();
    if (!source) return Promise.resolve(null);
    if (groups?.config !== source.config) groups = groupChecks(source.config);
    const at = source.now();
    if (!last || last.groups !== groups || at - last.at >= FRESH_MS || at < last.at)
      last = { at, groups, shown: snapshotAll(source, groups, at) };
    return last.shown;
  };
  const gauge = (name: string, help: string, value: (s: LimitSnapshot) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['group', 'limit'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const { group, snapshot } of (await read()) ?? [])
          this.set({ group, limit: snapshot.check.spec.name }, value(snapshot));
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
