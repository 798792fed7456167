// The BudgetStore contract: one suite every store implementation must pass, driven by a test clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksFor, type Demand, type NamedLimits, namedLimitSpecs } from '../../policies/rate-limit/index.js';
import type { BudgetStore } from '../../src/stores/types.js';
import { type TestClock, testClock } from '../helpers/clock.js';

export type MakeStore = (clock: TestClock) => Promise<BudgetStore>;

const demand = (promptTokens: number, desiredOutput = 100, minOutput = 16): Demand => ({
  promptTokens,
  desiredOutput,
  minOutput,
});

let seq = 0;
const nextId = () => `req-${++seq}`;

export type Describe = (name: string, body: () => void) => void;

export function budgetStoreContract(name: string, make: MakeStore, describeIt: Describe = describe): void {
  describeIt(`${name}: the BudgetStore contract`, () => {
    let clock: TestClock;
    let store: BudgetStore;
    let owner = 0;
    /** Checks on a counter owner of their own, so tests never share usage. */
    const checks = (limits: NamedLimits) => checksFor(`owner-${++owner}-${Date.now()}`, namedLimitSpecs(limits));
    const reserve = (cs: ReturnType<typeof checks>, d: Demand, id = nextId()) =>
      store.reserve({ id, checks: cs, demand: d, now: clock.now() });
    const used = async (cs: ReturnType<typeof checks>) => (await store.snapshot(cs, clock.now())).map((s) => s.used);

    beforeEach(async () => {
      clock = testClock();
      store = await make(clock);
    });
    afterEach(() => store.close());

    it('admits and takes one request and prompt plus allowance from every limit', async () => {
      const cs = checks({ requests_per_minute: 5, tokens_per_minute: 1_000, tokens_per_day: 10_000 });
      const { decision, snapshots } = await reserve(cs, demand(30, 100));
      expect(decision).toEqual({ admitted: true, outputAllowance: 100, tokens: 130 });
      expect(snapshots.map((s) => [s.check.spec.name, s.used, s.remaining])).toEqual([
        ['requests_per_minute', 1, 4],
        ['tokens_per_minute', 130, 870],
        ['tokens_per_day', 130, 9_870],
      ]);
    });

    it('takes nothing from any limit when one of them refuses', async () => {
      const cs = checks({ requests_per_minute: 5, tokens_per_minute: 100 });
      await reserve(cs, demand(50, 10));
      const { decision } = await reserve(cs, demand(50, 10));
      expect(decision.admitted).toBe(false);
      expect(await used(cs)).toEqual([1, 60]);
    });

    it('caps the output allowance at what the tightest token limit leaves', async () => {
      const cs = checks({ tokens_per_minute: 1_000, tokens_per_day: 500 });
      await reserve(cs, demand(100, 300));
      const { decision } = await reserve(cs, demand(30, 500));
      expect(decision).toEqual({ admitted: true, outputAllowance: 70, tokens: 100 });
    });

    it('refuses with the limit that frees last when several refuse', async () => {
      const cs = checks({ requests_per_minute: 1, tokens_per_day: 200 });
      await reserve(cs, demand(100, 100));
      const { decision } = await reserve(cs, demand(10));
      expect(decision.admitted).toBe(false);
      if (decision.admitted) return;
      expect(decision.check.spec.name).toBe('tokens_per_day');
      // The usage was spent just now: it leaves the day window in exactly a day.
      expect(decision.retryAfterMs).toBe(86_400_000);
      expect(decision.neverFits).toBe(false);
    });

    it('says never fits when the prompt alone exceeds a limit, and takes nothing', async () => {
      const cs = checks({ requests_per_minute: 5, tokens_per_minute: 100 });
      const { decision } = await reserve(cs, demand(500));
      expect(decision).toMatchObject({ admitted: false, neverFits: true, retryAfterMs: 0, needed: 516 });
      expect(await used(cs)).toEqual([0, 0]);
    });

    it('settles to the real usage once: a second settle returns null and changes nothing', async () => {
      const cs = checks({ requests_per_minute: 5, tokens_per_minute: 1_000 });
      const id = nextId();
      await reserve(cs, demand(30, 200), id);
      const after = await store.settle(id, 80, clock.now());
      expect(after?.map((s) => s.used)).toEqual([1, 80]);
      expect(await store.settle(id, 500, clock.now())).toBeNull();
      await store.release(id, clock.now());
      expect(await used(cs)).toEqual([1, 80]);
    });

    it('charges more than was reserved when the real usage says so', async () => {
      const cs = checks({ tokens_per_minute: 1_000 });
      const id = nextId();
      await reserve(cs, demand(30, 20), id);
      await store.settle(id, 400, clock.now());
      expect(await used(cs)).toEqual([400]);
    });

    it('releases the request and its tokens once', async () => {
      const cs = checks({ requests_per_minute: 5, tokens_per_minute: 1_000 });
      const keep = nextId();
      const drop = nextId();
      await reserve(cs, demand(10, 10), keep);
      await reserve(cs, demand(30, 30), drop);
      await store.release(drop, clock.now());
      await store.release(drop, clock.now());
      expect(await store.settle(drop, 999, clock.now())).toBeNull();
      expect(await used(cs)).toEqual([1, 20]);
    });

    it('holds usage one window after it was spent, then frees it', async () => {
      const cs = checks({ requests_per_minute: 2 });
      clock.advance(400); // inside a bucket: the wait still never exceeds the window
      await reserve(cs, demand(1));
      clock.advance(15_000);
      await reserve(cs, demand(1));
      const refused = await reserve(cs, demand(1));
      expect(refused.decision).toMatchObject({ admitted: false, retryAfterMs: 45_000 });
      clock.advance(44_999);
      expect((await reserve(cs, demand(1))).decision.admitted).toBe(false);
      clock.advance(1);
      expect((await reserve(cs, demand(1))).decision.admitted).toBe(true);
      clock.advance(60_000);
      expect(await used(cs)).toEqual([0]);
    });

    it('reports the reset as when everything counted now has left the window', async () => {
      const cs = checks({ tokens_per_minute: 1_000 });
      const t0 = clock.now();
      const idle = await store.snapshot(cs, t0);
      expect(idle[0]).toMatchObject({ used: 0, remaining: 1_000, resetAt: t0 });
      await reserve(cs, demand(10, 10));
      clock.advance(2_500);
      const [snap] = await store.snapshot(cs, clock.now());
      expect(snap).toMatchObject({ used: 20, remaining: 980, resetAt: t0 + 60_000 });
    });

    it('counts different owners separately', async () => {
      const a = checks({ requests_per_minute: 1 });
      const b = checks({ requests_per_minute: 1 });
      expect((await reserve(a, demand(1))).decision.admitted).toBe(true);
      expect((await reserve(b, demand(1))).decision.admitted).toBe(true);
      expect((await reserve(a, demand(1))).decision.admitted).toBe(false);
    });

    it('admits exactly the limit from many reserves at once', async () => {
      const cs = checks({ requests_per_minute: 7, tokens_per_minute: 100_000 });
      const results = await Promise.all(Array.from({ length: 25 }, () => reserve(cs, demand(10, 10))));
      expect(results.filter((r) => r.decision.admitted)).toHaveLength(7);
      expect(await used(cs)).toEqual([7, 140]);
    });

    it('records usage reported after the fact, in the window of now', async () => {
      const cs = checks({ requests_per_minute: 5, tokens_per_minute: 1_000 });
      await store.record(cs, [2, 300], clock.now());
      expect(await used(cs)).toEqual([2, 300]);
      clock.advance(30_000);
      expect((await reserve(cs, demand(100, 700))).decision).toMatchObject({ admitted: true, outputAllowance: 600 });
      clock.advance(31_000);
      expect(await used(cs)).toEqual([1, 700]);
    });

    it('reports health without throwing', () => {
      expect(store.health?.().status).toBe('ok');
    });
  });
}
