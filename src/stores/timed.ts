// A BudgetStore that reports how long each call took (the store's round trip, for the metrics).
import type { BudgetStore } from './types.js';

export type StoreTiming = (
  operation: 'reserve' | 'settle' | 'release' | 'snapshot' | 'record',
  seconds: number,
) => void;

export function timedStore(store: BudgetStore, observe: StoreTiming): BudgetStore {
  const timed = <T>(operation: Parameters<StoreTiming>[0], call: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    return call().finally(() => observe(operation, (performance.now() - started) / 1000));
  };
  return {
    reserve: (input) => timed('reserve', () => store.reserve(input)),
    settle: (id, tokens, now) => timed('settle', () => store.settle(id, tokens, now)),
    release: (id, now) => timed('release', () => store.release(id, now)),
    snapshot: (checks, now) => timed('snapshot', () => store.snapshot(checks, now)),
    record: (checks, amounts, now) => timed('record', () => store.record(checks, amounts, now)),
    ...(store.health ? { health: store.health.bind(store) } : {}),
    close: () => store.close(),
  };
}
