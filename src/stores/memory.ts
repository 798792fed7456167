// In-process BudgetStore: counters in maps; each call runs to completion, so reserve is atomic.
import {
  add,
  adjust,
  decide,
  type LimitCheck,
  type LimitSnapshot,
  type LimitSpec,
  lastUseBound,
  prune,
  resetAt,
  usedIn,
  type WindowState,
} from '../../policies/rate-limit/index.js';
import type { BudgetStore, ReserveInput, ReserveResult, StoreHealth } from './types.js';

interface Counter {
  /** The spec of the last check that used it (a restored counter has its file's window). */
  spec: LimitSpec;
  readonly state: WindowState;
}

/** One counter's live buckets, as the state file keeps them. */
export interface CounterDump {
  readonly key: string;
  readonly windowMs: number;
  readonly bucketMs: number;
  readonly sliding: boolean;
  /** `[start, amount]`, oldest first. */
  readonly buckets: ReadonlyArray<readonly [number, number]>;
}

interface Taken {
  readonly counter: Counter;
  readonly bucket: number;
  readonly amount: number;
}

interface Open {
  readonly taken: Taken[];
  readonly checks: readonly LimitCheck[];
  readonly tokens: number;
}

/** Every this many reservations, counters whose usage has all expired are forgotten. */
const SWEEP_EVERY = 4096;

export class MemoryStore implements BudgetStore {
  readonly #counters = new Map<string, Counter>();
  readonly #open = new Map<string, Open>();
  #sinceSweep = 0;

  async reserve({ id, checks, demand, now }: ReserveInput): Promise<ReserveResult> {
    if (++this.#sinceSweep >= SWEEP_EVERY) this.#sweep(now);
    const counters = checks.map((c) => this.#counter(c));
    const states = counters.map((c) => prune(c.spec, c.state, now));
    const decision = decide(checks, states, demand, now);
    if (decision.admitted) {
      const taken = counters.map((counter): Taken => {
        const amount = counter.spec.unit === 'requests' ? 1 : decision.tokens;
        return { counter, bucket: add(counter.spec, counter.state, now, amount), amount };
      });
      this.#open.set(id, { taken, checks, tokens: decision.tokens });
    }
    return { decision, snapshots: this.#snapshots(checks, now) };
  }

  async settle(id: string, actualTokens: number, now: number): Promise<LimitSnapshot[] | null> {
    const open = this.#take(id);
    if (!open) return null;
    const delta = actualTokens - open.tokens;
    for (const t of open.taken) {
      if (t.counter.spec.unit === 'tokens') adjust(t.counter.state, t.bucket, delta);
    }
    return this.#snapshots(open.checks, now);
  }

  async release(id: string, _now?: number): Promise<void> {
    const open = this.#take(id);
    for (const t of open?.taken ?? []) adjust(t.counter.state, t.bucket, -t.amount);
  }

  async snapshot(checks: readonly LimitCheck[], now: number): Promise<LimitSnapshot[]> {
    return this.#snapshots(checks, now);
  }

  async record(checks: readonly LimitCheck[], amounts: readonly number[], now: number): Promise<void> {
    checks.forEach((check, i) => {
      const counter = this.#counter(check);
      add(counter.spec, prune(counter.spec, counter.state, now), now, amounts[i] ?? 0);
    });
  }

  health(): StoreHealth {
    return { store: 'memory', status: 'ok', ready: true };
  }

  async close(): Promise<void> {}

  /** Reservations neither settled nor released yet. */
  get openCount(): number {
    return this.#open.size;
  }

  /**
   * Every live counter without what open reservations hold: a process that restarts from this
   * has lost those requests, so their reservations are given back rather than left as phantoms.
   */
  exportCounters(now: number): CounterDump[] {
    const held = new Map<Counter, Map<number, number>>();
    for (const open of this.#open.values()) {
      for (const t of open.taken) {
        const byBucket = held.get(t.counter) ?? new Map<number, number>();
        byBucket.set(t.bucket, (byBucket.get(t.bucket) ?? 0) + t.amount);
        held.set(t.counter, byBucket);
      }
    }
    const dumps: CounterDump[] = [];
    for (const [key, counter] of this.#counters) {
      const buckets = prune(counter.spec, counter.state, now)
        .map((b) => [b.start, b.amount - (held.get(counter)?.get(b.start) ?? 0)] as const)
        .filter(([, amount]) => amount > 0);
      if (buckets.length === 0) continue;
      const { windowMs, bucketMs, sliding } = counter.spec;
      dumps.push({ key, windowMs, bucketMs, sliding, buckets });
    }
    return dumps;
  }

  /** Adds counters saved by exportCounters; buckets that have left their window are dropped. */
  importCounters(dumps: readonly CounterDump[], now: number): void {
    for (const d of dumps) {
      const { windowMs, bucketMs, sliding } = d;
      const spec: LimitSpec = {
        name: d.key,
        unit: 'tokens',
        limit: Number.POSITIVE_INFINITY,
        windowMs,
        bucketMs,
        sliding,
      };
      const state = prune(
        spec,
        d.buckets
          .map(([start, amount]) => ({ start, amount, last: lastUseBound(spec, start, now) }))
          .sort((a, b) => a.start - b.start),
        now,
      );
      if (state.length > 0) this.#counters.set(d.key, { spec, state });
    }
  }

  #take(id: string): Open | undefined {
    const open = this.#open.get(id);
    this.#open.delete(id);
    return open;
  }

  /** Forgets counters whose usage has all left the window, so one-off callers do not pile up. */
  #sweep(now: number): void {
    this.#sinceSweep = 0;
    const held = new Set<Counter>();
    for (const open of this.#open.values()) for (const t of open.taken) held.add(t.counter);
    for (const [key, counter] of this.#counters) {
      if (!held.has(counter) && prune(counter.spec, counter.state, now).length === 0) {
        this.#counters.delete(key);
      }
    }
  }

  #counter(check: LimitCheck): Counter {
    let counter = this.#counters.get(check.key);
    if (!counter || !sameWindow(counter.spec, check.spec)) {
      // A restored counter whose window the config has since changed starts afresh.
      counter = { spec: check.spec, state: [] };
      this.#counters.set(check.key, counter);
    }
    counter.spec = check.spec;
    return counter;
  }

  #snapshots(checks: readonly LimitCheck[], now: number): LimitSnapshot[] {
    return checks.map((check) => {
      const state = this.#counters.get(check.key)?.state ?? [];
      const used = usedIn(check.spec, state, now);
      return {
        check,
        used,
        remaining: Math.max(0, check.spec.limit - used),
        resetAt: resetAt(check.spec, state, now),
      };
    });
  }
}

function sameWindow(a: LimitSpec, b: LimitSpec): boolean {
  return a === b || (a.windowMs === b.windowMs && a.bucketMs === b.bucketMs && a.sliding === b.sliding);
}
