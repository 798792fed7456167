// openReservation: settle or release reaches the store once, whichever comes first and however often called.
import { describe, expect, it } from 'vitest';
import { checksFor, type LimitSnapshot, namedLimitSpecs } from '../../policies/rate-limit/index.js';
import { MemoryStore } from '../stores/memory.js';
import { openReservation } from './reservation.js';

const NOW = Date.UTC(2026, 3, 23, 10, 30);
const checks = checksFor('group:t', namedLimitSpecs({ requests_per_minute: 10, tokens_per_minute: 1000 }));
const usage = (totalTokens: number) => ({ promptTokens: totalTokens, completionTokens: 0, totalTokens });

class CountingStore extends MemoryStore {
  calls: string[] = [];
  failSettle = false;
  override async settle(id: string, tokens: number, now: number): Promise<LimitSnapshot[] | null> {
    this.calls.push('settle');
    if (this.failSettle) throw new Error('store down');
    return super.settle(id, tokens, now);
  }
  override async release(id: string, now?: number): Promise<void> {
    this.calls.push('release');
    return super.release(id, now);
  }
}

async function reserved(store: CountingStore) {
  const demand = { promptTokens: 100, desiredOutput: 200, minOutput: 1 };
  await store.reserve({ id: 'r', checks, demand, now: NOW });
  return openReservation(store, 'r', 300, () => NOW);
}
const used = async (store: MemoryStore) => (await store.snapshot(checks, NOW)).map((s) => s.used);

describe('openReservation', () => {
  it('settles once: later settles and releases do not reach the store', async () => {
    const store = new CountingStore();
    const r = await reserved(store);
    expect((await r.settle(usage(42)))?.map((s) => s.used)).toEqual([1, 42]);
    expect(await r.settle(usage(7))).toBeNull();
    await r.release();
    expect(store.calls).toEqual(['settle']);
    expect(r.done).toBe(true);
    expect(await used(store)).toEqual([1, 42]);
  });

  it('releases once: a later settle charges nothing', async () => {
    const store = new CountingStore();
    const r = await reserved(store);
    await r.release();
    await r.release();
    expect(await r.settle(usage(42))).toBeNull();
    expect(store.calls).toEqual(['release']);
    expect(await used(store)).toEqual([0, 0]);
  });

  it('releases instead when the store fails to settle, and reports the failure', async () => {
    const store = new CountingStore();
    store.failSettle = true;
    const r = await reserved(store);
    await expect(r.settle(usage(42))).rejects.toThrow('store down');
    await r.release();
    expect(store.calls).toEqual(['settle', 'release']);
    expect(store.openCount).toBe(0);
    expect(await used(store)).toEqual([0, 0]);
  });
});
