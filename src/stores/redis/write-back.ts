// What an instance owes Redis after an outage: settles it could not send, usage it spent locally.
import type { LimitCheck } from '../../../policies/rate-limit/index.js';
import type { LocalFallback } from './fallback.js';
import type { RedisScripts } from './scripts.js';

export type Deferred =
  | {
      readonly kind: 'settle';
      readonly id: string;
      readonly checks: readonly LimitCheck[];
      readonly actual: number;
      readonly now: number;
    }
  | { readonly kind: 'release'; readonly id: string; readonly now: number };

/** Settles owed beyond this many are dropped (their leases give the reservations back). */
const MAX_DEFERRED = 100_000;

export class WriteBack {
  #deferred: Deferred[] = [];
  #dropped = 0;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly scripts: RedisScripts,
    private readonly local: LocalFallback,
    private readonly now: () => number,
  ) {}

  /** Settles, releases and counters still to write. */
  get owed(): number {
    return this.#deferred.length + this.local.ledgerSize;
  }

  get dropped(): number {
    return this.#dropped;
  }

  defer(op: Deferred): void {
    if (this.#deferred.length >= MAX_DEFERRED) {
      this.#deferred.shift();
      this.#dropped++;
    }
    this.#deferred.push(op);
  }

  /**
   * Sends deferred settles in order, then adds the local ledger to Redis; one flush at a time.
   * Rejects at the first failure, keeping what was not written for the next try.
   */
  flush(): Promise<void> {
    const run = this.#flushing.then(() => this.#flushNow());
    this.#flushing = run.catch(() => {});
    return run;
  }

  async #flushNow(): Promise<void> {
    for (let op = this.#deferred[0]; op; op = this.#deferred[0]) {
      if (op.kind === 'settle') await this.scripts.settle(op.id, op.checks, op.actual, op.now);
      else await this.scripts.release(op.id, op.now);
      this.#deferred.shift();
    }
    const entries = this.local.takeLedger();
    try {
      await this.scripts.writeBack(this.now(), entries);
    } catch (err) {
      this.local.restore(entries);
      throw err;
    }
  }
}
