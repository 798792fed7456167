// Runs the store's Lua scripts: encodes limits as arguments and parses each reply once.
import type { Decision, Demand, LimitCheck, LimitSnapshot, LimitSpec } from '../../../policies/rate-limit/index.js';
import type { ReserveResult } from '../types.js';
import type { RedisClient } from './client.js';
import { withDeadline } from './deadline.js';

/** Where the store's keys live. The `{prefix}` hash tag keeps them in one Cluster slot. */
export class RedisKeys {
  readonly reservations: string;
  readonly leases: string;
  readonly instances: string;
  readonly #tag: string;

  constructor(prefix: string) {
    this.#tag = `{${prefix}}`;
    this.reservations = `${this.#tag}:reservations`;
    this.leases = `${this.#tag}:leases`;
    this.instances = `${this.#tag}:instances`;
  }

  counter(key: string): string {
    return `${this.#tag}:c:${key}`;
  }
}

/** A counter's usage to add back into Redis: buckets as `[start, amount]`. */
export interface WriteBack {
  readonly check: LimitCheck;
  readonly buckets: ReadonlyArray<readonly [number, number]>;
}

export class RedisReplyError extends Error {}

/** decide.ts tells requests (need 1) from tokens (the token room) and counts any other unit like tokens. */
const UNIT: Readonly<Record<string, number>> = { requests: 0, tokens: 1 };
const specArgs = (s: LimitSpec) => [UNIT[s.unit] ?? 2, s.limit, s.windowMs, s.bucketMs, s.sliding ? 1 : 0];

export class RedisScripts {
  constructor(
    private readonly client: RedisClient,
    readonly keys: RedisKeys,
    /** How long a reservation lives without a heartbeat. */
    private readonly leaseMs: number,
    /** How long a settled id is remembered, so a retried settle is not charged twice. */
    private readonly tombstoneMs: number,
    /** How long a call may wait for Redis, in free loop time (deadline.ts). */
    private readonly timeoutMs: number,
  ) {}

  async reserve(id: string, checks: readonly LimitCheck[], demand: Demand, now: number): Promise<ReserveResult> {
    const { promptTokens, desiredOutput, minOutput } = demand;
    const reply = ints(
      await this.#bounded(
        this.client.tollgateReserve(
          checks.length + 2,
          ...this.#counterKeys(checks),
          this.keys.reservations,
          this.keys.leases,
          ...[id, now, promptTokens, desiredOutput, minOutput, this.leaseMs],
          ...checks.flatMap((c) => specArgs(c.spec)),
        ),
      ),
    );
    const admitted = reply[0] === 1;
    const head = admitted ? 3 : 7;
    const snapshots = toSnapshots(checks, reply, head);
    if (admitted) {
      const decision: Decision = { admitted: true, outputAllowance: at(reply, 1), tokens: at(reply, 2) };
      return { decision, snapshots };
    }
    const check = checks[at(reply, 1)];
    if (!check) throw new RedisReplyError('reserve named a limit that was not asked about');
    const decision: Decision = {
      admitted: false,
      check,
      retryAfterMs: at(reply, 2),
      needed: at(reply, 3),
      neverFits: at(reply, 4) === 1,
      remaining: at(reply, 5),
      outputThatFits: at(reply, 6),
    };
    return { decision, snapshots };
  }

  /** `status`: 0 already settled or released, 1 settled, 2 charged anew after its lease lapsed. */
  async settle(id: string, checks: readonly LimitCheck[], actualTokens: number, now: number) {
    const reply = ints(
      await this.#bounded(
        this.client.tollgateSettle(
          checks.length + 2,
          ...this.#counterKeys(checks),
          this.keys.reservations,
          this.keys.leases,
          ...[id, now, actualTokens, this.tombstoneMs],
          ...checks.flatMap((c) => specArgs(c.spec)),
        ),
      ),
    );
    return { status: at(reply, 0), snapshots: toSnapshots(checks, reply, 1) };
  }

  async release(id: string, now: number): Promise<void> {
    await this.#bounded(
      this.client.tollgateRelease(2, this.keys.reservations, this.keys.leases, id, now, this.tombstoneMs),
    );
  }

  async snapshot(checks: readonly LimitCheck[], now: number): Promise<LimitSnapshot[]> {
    if (checks.length === 0) return [];
    const reply = ints(
      await this.#bounded(
        this.client.tollgateSnapshot(
          checks.length,
          ...this.#counterKeys(checks),
          now,
          ...checks.flatMap((c) => specArgs(c.spec)),
        ),
      ),
    );
    return toSnapshots(checks, reply, 0);
  }

  /** Sweeps lapsed leases, renews `openIds`, registers `instance`; returns the live instances. */
  async heartbeat(now: number, instance: string, staleMs: number, openIds: readonly string[]): Promise<number> {
    const { reservations, leases, instances } = this.keys;
    const reply = await this.#bounded(
      this.client.tollgateHeartbeat(
        3,
        ...[reservations, leases, instances],
        ...[now, this.leaseMs, instance, staleMs],
        ...openIds,
      ),
    );
    if (typeof reply !== 'number') throw new RedisReplyError(`heartbeat replied ${typeof reply}`);
    return reply;
  }

  async writeBack(now: number, entries: readonly WriteBack[]): Promise<void> {
    if (entries.length === 0) return;
    const args = entries.flatMap((e) => [...specArgs(e.check.spec), e.buckets.length, ...e.buckets.flat()]);
    await this.#bounded(
      this.client.tollgateWriteBack(
        entries.length,
        ...entries.map((e) => this.keys.counter(e.check.key)),
        now,
        ...args,
      ),
    );
  }

  async ping(): Promise<void> {
    await this.#bounded(this.client.ping());
  }

  #bounded<T>(call: Promise<T>): Promise<T> {
    return withDeadline(call, this.timeoutMs);
  }

  #counterKeys(checks: readonly LimitCheck[]): string[] {
    return checks.map((c) => this.keys.counter(c.key));
  }
}

function ints(reply: unknown): number[] {
  if (!Array.isArray(reply) || !reply.every((v): v is number => Number.isInteger(v))) {
    throw new RedisReplyError('a budget script replied with something other than integers');
  }
  return reply;
}

function at(reply: readonly number[], i: number): number {
  const v = reply[i];
  if (v === undefined) throw new RedisReplyError('a budget script reply is too short');
  return v;
}

function toSnapshots(checks: readonly LimitCheck[], reply: readonly number[], from: number): LimitSnapshot[] {
  return checks.map((check, i) => {
    const used = at(reply, from + 2 * i);
    return {
      check,
      used,
      remaining: Math.max(0, check.spec.limit - used),
      resetAt: at(reply, from + 2 * i + 1),
    };
  });
}
