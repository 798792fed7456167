// The shared BudgetStore: one Lua round trip per admission, a local fallback while Redis is down.
import { randomUUID } from 'node:crypto';
import type { LimitCheck, LimitSnapshot } from '../../../policies/rate-limit/index.js';
import { bucketStart } from '../../../policies/rate-limit/window.js';
import { StoreUnavailableError } from '../errors.js';
import type { BudgetStore, ReserveInput, ReserveResult, StoreHealth, StoreLogger } from '../types.js';
import { type RedisClient, whenReady } from './client.js';
import { LocalFallback } from './fallback.js';
import { type OnStoreError, Outage } from './outage.js';
import { checkPersistence, type PersistenceCheck } from './persistence.js';
import { RedisKeys, RedisScripts } from './scripts.js';
import { type Deferred, WriteBack } from './write-back.js';

export type { OnStoreError } from './outage.js';

export interface RedisStoreOptions {
  readonly client: RedisClient;
  readonly keyPrefix: string;
  readonly onStoreError: OnStoreError;
  /** How long a call may wait for Redis, in free loop time: a stall of this process is not counted. */
  readonly timeoutMs: number;
  /** How many instances share the limits; default: how many heartbeat in Redis. */
  readonly instances?: number | undefined;
  readonly leaseMs: number;
  /** The budget clock; must be the one whose `now` reaches reserve/settle (NTP-synced hosts). */
  readonly now: () => number;
  readonly logger: StoreLogger;
  /** How often to look for Redis during an outage. */
  readonly probeMs?: number | undefined;
  /** How long close() waits for in-flight reservations to settle. */
  readonly drainMs?: number | undefined;
  /** How often leases are renewed and the instance registered; default a third of the lease. */
  readonly heartbeatMs?: number | undefined;
  /** Told of every failed call, for the store-errors metric. */
  readonly onError?: ((operation: StoreOperation) => void) | undefined;
}

export type StoreOperation = 'reserve' | 'settle' | 'release' | 'snapshot' | 'record' | 'heartbeat';

export class RedisStore implements BudgetStore {
  readonly #o: RedisStoreOptions;
  readonly #scripts: RedisScripts;
  readonly #instance = randomUUID();
  readonly #local = new LocalFallback();
  /** Reservations taken in Redis and not settled yet: their checks, by request id. */
  readonly #open = new Map<string, readonly LimitCheck[]>();
  readonly #owed: WriteBack;
  readonly #outage: Outage;
  /** Null until Redis has first answered. */
  #persistence: PersistenceCheck | null = null;
  #observed = 1;
  #closed = false;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(options: RedisStoreOptions) {
    this.#o = options;
    const keys = new RedisKeys(options.keyPrefix);
    // A settled id is remembered for ten leases, so a settle retried after an outage counts once.
    this.#scripts = new RedisScripts(options.client, keys, options.leaseMs, options.leaseMs * 10, options.timeoutMs);
    this.#owed = new WriteBack(this.#scripts, this.#local, options.now);
    this.#outage = new Outage({
      onStoreError: options.onStoreError,
      instances: () => this.#instances(),
      ping: () => this.#scripts.ping(),
      catchUp: async () => {
        const owed = this.#owed.owed;
        await this.#owed.flush();
        return owed;
      },
      back: () => void this.#connected(),
      probeMs: this.#probeMs,
      logger: options.logger,
    });
    options.client.on('error', (err: unknown) => this.#fail(err));
    options.client.on('ready', () => void this.#outage.recover());
    this.#heartbeat = setInterval(() => void this.#beat(), options.heartbeatMs ?? Math.floor(options.leaseMs / 3));
    this.#heartbeat.unref();
  }

  /** Waits for the first connection; without one, the store starts in its fallback. */
  async start(waitMs: number): Promise<this> {
    if (await whenReady(this.#o.client, waitMs)) await this.#connected();
    else this.#outage.enter(new Error(`not reachable within ${waitMs} ms of start`));
    return this;
  }

  async reserve(input: ReserveInput): Promise<ReserveResult> {
    if (!this.#down) {
      const id = this.#rid(input.id);
      try {
        const result = await this.#scripts.reserve(id, input.checks, input.demand, input.now);
        if (result.decision.admitted) this.#open.set(input.id, input.checks);
        return result;
      } catch (err) {
        this.#fail(err, 'reserve');
        // Redis may have taken it after all (a reply that came too late): given back, now or after an outage.
        this.#owed.defer({ kind: 'release', id, now: input.now });
      }
    }
    if (this.#o.onStoreError === 'fail_closed') throw new StoreUnavailableError(Math.ceil(this.#probeMs / 1000));
    const failOpen = this.#o.onStoreError === 'fail_open';
    const result = await this.#local.reserve(input, failOpen ? null : this.#instances());
    return failOpen ? { ...result, snapshots: [] } : result;
  }

  async settle(id: string, actualTokens: number, now: number): Promise<LimitSnapshot[] | null> {
    if (this.#local.has(id)) {
      const snapshots = await this.#local.settle(id, actualTokens, now);
      if (!this.#down) this.#owed.flush().catch((err: unknown) => this.#fail(err));
      return this.#o.onStoreError === 'fail_open' ? [] : snapshots;
    }
    const checks = this.#open.get(id);
    if (!checks) return null;
    this.#open.delete(id);
    const op: Deferred = { kind: 'settle', id: this.#rid(id), checks, actual: actualTokens, now };
    if (!this.#down) {
      try {
        const { status, snapshots } = await this.#scripts.settle(op.id, checks, actualTokens, now);
        return status === 0 ? null : snapshots;
      } catch (err) {
        this.#fail(err, 'settle');
      }
    }
    this.#owed.defer(op);
    return null;
  }

  async release(id: string, now: number): Promise<void> {
    if (this.#local.has(id)) return this.#local.release(id, now);
    if (!this.#open.delete(id)) return;
    const op: Deferred = { kind: 'release', id: this.#rid(id), now };
    if (!this.#down) {
      try {
        return await this.#scripts.release(op.id, now);
      } catch (err) {
        this.#fail(err, 'release');
      }
    }
    this.#owed.defer(op);
  }

  async snapshot(checks: readonly LimitCheck[], now: number): Promise<LimitSnapshot[]> {
    if (!this.#down) {
      try {
        return await this.#scripts.snapshot(checks, now);
      } catch (err) {
        this.#fail(err, 'snapshot');
      }
    }
    return this.#o.onStoreError === 'local' ? this.#local.snapshot(checks, now, this.#instances()) : [];
  }

  async record(checks: readonly LimitCheck[], amounts: readonly number[], now: number): Promise<void> {
    if (!this.#down) {
      try {
        const entries = checks.map((check, i) => ({
          check,
          buckets: [[bucketStart(check.spec, now), amounts[i] ?? 0]] as const,
        }));
        return await this.#scripts.writeBack(now, entries);
      } catch (err) {
        this.#fail(err, 'record');
      }
    }
    // Counted here while Redis is away, and written back when it returns.
    await this.#local.record(checks, amounts, now);
  }

  health(): StoreHealth {
    const down = this.#down;
    return {
      store: 'redis',
      status: down ? 'degraded' : 'ok',
      ready: !(down && this.#o.onStoreError === 'fail_closed'),
      on_store_error: this.#o.onStoreError,
      instances: this.#instances(),
      down_since: down ? new Date(down.since).toISOString() : null,
      error: down?.error ?? null,
      pending_write_back: this.#owed.owed,
      dropped_write_back: this.#owed.dropped,
      persistence: this.#persistence?.persistence ?? null,
      persistence_warning: this.#persistence?.warning ?? null,
    };
  }

  /** Waits for in-flight requests to settle, writes back what it owes Redis, disconnects. */
  async close(): Promise<void> {
    const deadline = Date.now() + (this.#o.drainMs ?? 5_000);
    while (this.#open.size + this.#local.openCount > 0 && Date.now() < deadline) await sleep(10);
    // Closed from here on: no more heartbeats, probes or outage handling, only the last write-back.
    this.#closed = true;
    this.#outage.close();
    clearInterval(this.#heartbeat);
    if (!this.#down) await this.#owed.flush().catch(() => {});
    if (this.#owed.owed > 0) {
      this.#o.logger.warn(
        { owed: this.#owed.owed },
        'budget store: exiting without writing back usage spent during an outage',
      );
    }
    await Promise.race([this.#o.client.quit().catch(() => {}), sleep(this.#probeMs)]);
    this.#o.client.disconnect();
  }

  get #probeMs(): number {
    return this.#o.probeMs ?? 1_000;
  }

  get #down() {
    return this.#outage.down;
  }

  #instances(): number {
    return this.#o.instances ?? this.#observed;
  }

  /** Ids in Redis carry the instance, so two instances given the same request id never collide. */
  #rid(id: string): string {
    return `${this.#instance}:${id}`;
  }

  /** Counts a failed call (`operation`); the outage mode decides whether Redis itself has failed. */
  #fail(err: unknown, operation?: StoreOperation): void {
    if (operation) this.#o.onError?.(operation);
    if (!this.#closed) this.#outage.failed(err);
  }

  /** Redis answers (at start or after an outage): register, and read whether it persists the budgets. */
  async #connected(): Promise<void> {
    await this.#beat();
    this.#persistence = await checkPersistence(this.#o.client, this.#o.timeoutMs, this.#o.logger);
  }

  async #beat(): Promise<void> {
    if (this.#down || this.#closed) return;
    try {
      const ids = [...this.#open.keys()].map((id) => this.#rid(id));
      this.#observed = Math.max(1, await this.#scripts.heartbeat(this.#o.now(), this.#instance, this.#o.leaseMs, ids));
      if (this.#owed.owed > 0) await this.#owed.flush();
    } catch (err) {
      this.#fail(err, 'heartbeat');
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
