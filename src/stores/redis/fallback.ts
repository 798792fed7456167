// Budgets kept in this process while Redis is unreachable, and the usage to write back after.
import type { LimitCheck, LimitSnapshot } from '../../../policies/rate-limit/index.js';
import { bucketStart } from '../../../policies/rate-limit/window.js';
import { MemoryStore } from '../memory.js';
import type { ReserveInput, ReserveResult } from '../types.js';
import type { WriteBack } from './scripts.js';

/** A request refused only because its share is smaller than the whole limit may retry this soon. */
const OUTAGE_RETRY_MS = 5_000;

/**
 * Each instance enforces `limit / instances` (rounded down), so all of them together stay within
 * the limit. `instances: null` admits everything (fail_open) but still records what was spent.
 */
export class LocalFallback {
  readonly #store = new MemoryStore();
  readonly #open = new Map<string, { readonly checks: readonly LimitCheck[]; readonly at: number }>();
  #ledger = new Map<string, { check: LimitCheck; buckets: Map<number, number> }>();

  has(id: string): boolean {
    return this.#open.has(id);
  }

  async reserve(input: ReserveInput, instances: number | null): Promise<ReserveResult> {
    const result = await this.#store.reserve({ ...input, checks: localChecks(input.checks, instances) });
    const { decision } = result;
    if (decision.admitted) {
      this.#open.set(input.id, { checks: input.checks, at: input.now });
      return result;
    }
    const whole = input.checks.find((c) => c.key === decision.check.key)?.spec.limit ?? 0;
    if (!decision.neverFits || decision.needed > whole) return result;
    return { ...result, decision: { ...decision, neverFits: false, retryAfterMs: OUTAGE_RETRY_MS } };
  }

  /** Settles locally and notes the real usage for the write-back. */
  async settle(id: string, actualTokens: number, now: number): Promise<LimitSnapshot[] | null> {
    const open = this.#open.get(id);
    this.#open.delete(id);
    if (open) {
      for (const check of open.checks) {
        this.#note(check, bucketStart(check.spec, open.at), check.spec.unit === 'tokens' ? actualTokens : 1);
      }
    }
    return this.#store.settle(id, actualTokens, now);
  }

  async release(id: string, now: number): Promise<void> {
    this.#open.delete(id);
    await this.#store.release(id, now);
  }

  /** Counts usage reported after the fact here, and notes it for the write-back. */
  async record(checks: readonly LimitCheck[], amounts: readonly number[], now: number): Promise<void> {
    checks.forEach((check, i) => {
      this.#note(check, bucketStart(check.spec, now), amounts[i] ?? 0);
    });
    await this.#store.record(checks, amounts, now);
  }

  snapshot(checks: readonly LimitCheck[], now: number, instances: number): Promise<LimitSnapshot[]> {
    return this.#store.snapshot(localChecks(checks, instances), now);
  }

  get openCount(): number {
    return this.#open.size;
  }

  /** Counters with usage waiting to be written back. */
  get ledgerSize(): number {
    return this.#ledger.size;
  }

  /** Hands over the usage to write back; give it back with `restore` if that fails. */
  takeLedger(): WriteBack[] {
    const entries = [...this.#ledger.values()].map(({ check, buckets }) => ({ check, buckets: [...buckets] }));
    this.#ledger = new Map();
    return entries;
  }

  restore(entries: readonly WriteBack[]): void {
    for (const e of entries) for (const [start, amount] of e.buckets) this.#note(e.check, start, amount);
  }

  #note(check: LimitCheck, start: number, amount: number): void {
    let entry = this.#ledger.get(check.key);
    if (!entry) {
      entry = { check, buckets: new Map() };
      this.#ledger.set(check.key, entry);
    }
    entry.buckets.set(start, (entry.buckets.get(start) ?? 0) + amount);
  }
}

function localChecks(checks: readonly LimitCheck[], instances: number | null): LimitCheck[] {
  return checks.map((c) => ({
    key: c.key,
    spec: { ...c.spec, limit: instances === null ? Number.POSITIVE_INFINITY : Math.floor(c.spec.limit / instances) },
  }));
}
