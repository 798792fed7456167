// When the Redis store is in its outage mode: entered for a failure of Redis itself, left once it answers.
import type { StoreLogger } from '../types.js';
import { RedisReplyError } from './scripts.js';

export type OnStoreError = 'local' | 'fail_open' | 'fail_closed';

export interface OutageOptions {
  readonly onStoreError: OnStoreError;
  /** The instances the `local` fallback divides limits by, for the log line. */
  readonly instances: () => number;
  /** A fresh round trip to Redis, bounded in free loop time like every call. */
  readonly ping: () => Promise<void>;
  /** Runs when Redis answers again, before it is used: writes back what is owed (says how much); throws to stay down. */
  readonly catchUp: () => Promise<number>;
  /** Runs once the outage is over. */
  readonly back: () => void;
  readonly probeMs: number;
  readonly logger: StoreLogger;
}

/** A call that failed while Redis answers a PING is logged at most this often. */
const NOTE_EVERY_MS = 60_000;

export class Outage {
  readonly #o: OutageOptions;
  #down: { readonly since: number; readonly error: string } | null = null;
  #confirming = false;
  #recovering = false;
  #closed = false;
  #probe: NodeJS.Timeout | undefined;
  #noted = Number.NEGATIVE_INFINITY;

  constructor(options: OutageOptions) {
    this.#o = options;
  }

  /** Since when, and why, Redis is taken to be down; null while it is used. */
  get down(): { readonly since: number; readonly error: string } | null {
    return this.#down;
  }

  /**
   * A call failed. An error Redis replied with (OOM, READONLY, LOADING, …) is an outage at once. A
   * timeout or a lost connection is one only if a fresh PING, sent once the event loop is free, fails
   * too: a call can fail for this process's own sake (a stall, a reconnection ioredis already made).
   */
  failed(err: unknown): void {
    if (this.#down || this.#closed) return;
    if (repliedByRedis(err)) this.enter(err);
    else void this.#confirm(err);
  }

  /** Enters the outage mode once, logs it once, and starts looking for Redis. */
  enter(err: unknown): void {
    if (this.#down || this.#closed) return;
    const error = messageOf(err);
    this.#down = { since: Date.now(), error };
    const { onStoreError, logger } = this.#o;
    const then = {
      local: `each limit is enforced in this instance at limit / ${this.#o.instances()}`,
      fail_open: 'requests are admitted without limits',
      fail_closed: 'requests are refused with 503',
    }[onStoreError];
    logger.warn({ error, on_store_error: onStoreError }, `budget store unreachable: ${then} until it is back`);
    this.#probe = setInterval(() => void this.recover(), this.#o.probeMs);
    this.#probe.unref();
  }

  /** Once Redis answers again: catches up with it, then leaves the outage mode. */
  async recover(): Promise<void> {
    if (!this.#down || this.#recovering || this.#closed) return;
    this.#recovering = true;
    try {
      await this.#o.ping();
      const writtenBack = await this.#o.catchUp();
      const outageMs = Date.now() - this.#down.since;
      this.#down = null;
      clearInterval(this.#probe);
      this.#o.logger.info({ outage_ms: outageMs, written_back: writtenBack }, 'budget store reachable again');
      this.#o.back();
    } catch {
      // Still down: the probe tries again.
    } finally {
      this.#recovering = false;
    }
  }

  /** No more probes or outage handling. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#probe);
  }

  async #confirm(err: unknown): Promise<void> {
    if (this.#confirming) return;
    this.#confirming = true;
    try {
      // One turn of the loop first, so the PING is not judged by the same stall.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.#o.ping();
      if (Date.now() - this.#noted >= NOTE_EVERY_MS) {
        this.#noted = Date.now();
        this.#o.logger.warn(
          { error: messageOf(err) },
          'budget store: a Redis call failed but Redis answers a fresh PING, so this is not an outage; that call fell back to on_store_error',
        );
      }
    } catch {
      this.enter(err);
    } finally {
      this.#confirming = false;
    }
  }
}

/** An error reply from Redis (ioredis's ReplyError), or a reply the store could not read. */
function repliedByRedis(err: unknown): boolean {
  return err instanceof RedisReplyError || (err instanceof Error && err.name === 'ReplyError');
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
