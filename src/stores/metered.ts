// A BudgetStore that reports each call's round trip, and how far each reservation was from what the call cost.
import type { BudgetStore } from './types.js';

export type StoreOperation = 'reserve' | 'settle' | 'release' | 'snapshot' | 'record';

export interface StoreMeter {
  /** One call to the store took `seconds`. */
  call(operation: StoreOperation, seconds: number): void;
  /** A reservation was settled: tokens reserved minus the tokens the call really cost. */
  settled(reservedMinusActual: number): void;
}

export function meteredStore(store: BudgetStore, meter: StoreMeter): BudgetStore {
  /** Tokens reserved by each admitted reservation until it is settled or released. */
  const reserved = new Map<string, number>();
  const timed = <T>(operation: StoreOperation, call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    return call().finally(() => meter.call(operation, (performance.now() - started) / 1000));
  };
  return {
    async reserve(input) {
      const result = await timed('reserve', () => store.reserve(input));
      if (result.decision.admitted) reserved.set(input.id, result.decision.tokens);
      return result;
    },
    async settle(id, tokens, now) {
      const after = await timed('settle', () => store.settle(id, tokens, now));
      const was = reserved.get(id);
      reserved.delete(id);
      if (after !== null && was !== undefined) meter.settled(was - tokens);
      return after;
    },
    release(id, now) {
      reserved.delete(id);
      return timed('release', () => store.release(id, now));
    },
    snapshot: (checks, now) => timed('snapshot', () => store.snapshot(checks, now)),
    record: (checks, amounts, now) => timed('record', () => store.record(checks, amounts, now)),
    ...(store.health ? { health: store.health.bind(store) } : {}),
    close: () => store.close(),
  };
}
