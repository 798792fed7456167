// The BudgetStore contract: reserve every limit at once, then settle or release exactly once.
import type { Decision, Demand, LimitCheck, LimitSnapshot } from '../../policies/rate-limit/index.js';

export interface ReserveInput {
  /** Reservation id (the request id): settle and release are idempotent per id. */
  readonly id: string;
  readonly checks: readonly LimitCheck[];
  readonly demand: Demand;
  readonly now: number;
}

export interface ReserveResult {
  readonly decision: Decision;
  /** Each check's state after the decision (after taking, when admitted). */
  readonly snapshots: LimitSnapshot[];
}

export interface BudgetStore {
  /** Checks every limit and takes them all (one request, prompt + allowance tokens) or none. */
  reserve(input: ReserveInput): Promise<ReserveResult>;
  /**
   * Replaces the reserved tokens with the real usage. Returns the snapshots after settling,
   * or null when the reservation was already settled or released.
   */
  settle(id: string, actualTokens: number, now: number): Promise<LimitSnapshot[] | null>;
  /** Gives back everything the reservation took (request included); no-op when already done. */
  release(id: string, now: number): Promise<void>;
  /** Current state of checks without taking anything. */
  snapshot(checks: readonly LimitCheck[], now: number): Promise<LimitSnapshot[]>;
  /** Adds usage counted after the fact (quotas the upstream reports): `amounts[i]` to `checks[i]`. */
  record(checks: readonly LimitCheck[], amounts: readonly number[], now: number): Promise<void>;
  /** For /healthz: whether the counters are where they should be. Never throws. */
  health?(): StoreHealth;
  /** Finishes the store's work (flush, write-back) and lets go of its resources. */
  close(): Promise<void>;
}

export interface StoreHealth {
  readonly store: 'memory' | 'redis';
  /** `degraded`: the shared store is unreachable and `on_store_error` applies. */
  readonly status: 'ok' | 'degraded';
  /** False while every request is refused (an outage under `on_store_error: fail_closed`): see /readyz. */
  readonly ready: boolean;
  readonly [detail: string]: string | number | boolean | null;
}

/** Where stores report what an operator must know (a pino logger fits). */
export interface StoreLogger {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}
