// An admitted request's reservation as one object: settled with the real cost or released, once.
import type { LimitSnapshot } from '../../policies/rate-limit/index.js';
import type { Usage } from '../../providers/index.js';
import type { BudgetStore } from '../stores/types.js';

export interface Reservation {
  /** The tokens held: what the request is charged when its real cost cannot be known. */
  readonly tokens: number;
  /** Whether settle or release has already been called. */
  readonly done: boolean;
  /**
   * Replaces the reservation with `usage`; returns the state after, or null when already done.
   * When the store fails to settle, the reservation is released instead (nothing is left held).
   */
  settle(usage: Usage): Promise<LimitSnapshot[] | null>;
  /** Gives back everything the reservation took; a no-op once settled or released. */
  release(): Promise<void>;
}

export function openReservation(store: BudgetStore, id: string, tokens: number, now: () => number): Reservation {
  let done = false;
  return {
    tokens,
    get done() {
      return done;
    },
    async settle(usage) {
      if (done) return null;
      done = true;
      try {
        return await store.settle(id, usage.totalTokens, now());
      } catch (err) {
        // A store that cannot settle may still release; the settle error is the one to report.
        await Promise.resolve()
          .then(() => store.release(id, now()))
          .catch(() => {});
        throw err;
      }
    },
    async release() {
      if (done) return;
      done = true;
      await store.release(id, now());
    },
  };
}
