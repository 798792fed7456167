// The embedded default store: MemoryStore counters kept in a state file across restarts.
import type { LimitCheck, LimitSnapshot } from '../../policies/rate-limit/index.js';
import { MemoryStore } from './memory.js';
import { readState, writeState } from './state-file.js';
import type { BudgetStore, ReserveInput, ReserveResult, StoreHealth, StoreLogger } from './types.js';

export interface DurableMemoryOptions {
  readonly file: string;
  /** How often changed counters are written. */
  readonly flushIntervalMs: number;
  readonly now: () => number;
  readonly logger: StoreLogger;
  /** How long close() waits for open reservations to be settled before writing the last state. */
  readonly drainMs?: number;
}

export class DurableMemoryStore implements BudgetStore {
  readonly #inner = new MemoryStore();
  readonly #options: DurableMemoryOptions;
  readonly #timer: NodeJS.Timeout;
  #dirty = false;
  #writing: Promise<void> = Promise.resolve();
  #lastFlush: number | null = null;
  #flushError: string | null = null;

  private constructor(options: DurableMemoryOptions) {
    this.#options = options;
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.#timer.unref();
  }

  /** Restores the counters from the file (dropping expired windows) and starts flushing. */
  static async open(options: DurableMemoryOptions): Promise<DurableMemoryStore> {
    const { file, logger, now } = options;
    const read = await readState(file, now());
    const store = new DurableMemoryStore(options);
    if (read.kind === 'ok') {
      store.#inner.importCounters(read.counters, now());
      logger.info({ state_file: file, counters: read.counters.length }, 'restored budget counters from the state file');
    } else if (read.kind === 'missing') {
      logger.info({ state_file: file }, 'no state file yet: starting with empty budget counters');
    } else {
      const where = read.movedTo
        ? `moved it to ${read.movedTo}`
        : 'could not move it aside: the next flush replaces it';
      logger.error(
        { state_file: file, reason: read.reason, moved_to: read.movedTo },
        `state file ${file} is unusable (${read.reason}); ${where} and started with empty budget counters`,
      );
    }
    return store;
  }

  async reserve(input: ReserveInput): Promise<ReserveResult> {
    const result = await this.#inner.reserve(input);
    if (result.decision.admitted) this.#dirty = true;
    return result;
  }

  async settle(id: string, actualTokens: number, now: number): Promise<LimitSnapshot[] | null> {
    this.#dirty = true;
    return this.#inner.settle(id, actualTokens, now);
  }

  async release(id: string, now: number): Promise<void> {
    this.#dirty = true;
    return this.#inner.release(id, now);
  }

  snapshot(checks: readonly LimitCheck[], now: number): Promise<LimitSnapshot[]> {
    return this.#inner.snapshot(checks, now);
  }

  async record(checks: readonly LimitCheck[], amounts: readonly number[], now: number): Promise<void> {
    this.#dirty = true;
    return this.#inner.record(checks, amounts, now);
  }

  health(): StoreHealth {
    const lastFlush = this.#lastFlush === null ? null : new Date(this.#lastFlush).toISOString();
    return {
      store: 'memory',
      status: 'ok',
      ready: true,
      state_file: this.#options.file,
      last_flush: lastFlush,
      flush_error: this.#flushError,
    };
  }

  /** Writes the counters if they changed since the last write; one write at a time. */
  flush(): Promise<void> {
    this.#writing = this.#writing.then(() => this.#write());
    return this.#writing;
  }

  /** Waits (up to drainMs) for in-flight requests to settle, then writes the final state. */
  async close(): Promise<void> {
    const deadline = Date.now() + (this.#options.drainMs ?? 5_000);
    while (this.#inner.openCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    clearInterval(this.#timer);
    this.#dirty = true;
    await this.flush();
  }

  async #write(): Promise<void> {
    if (!this.#dirty) return;
    this.#dirty = false;
    const { file, now, logger } = this.#options;
    try {
      await writeState(file, this.#inner.exportCounters(now()), now());
      if (this.#flushError) logger.info({ state_file: file }, 'state file writable again');
      this.#lastFlush = now();
      this.#flushError = null;
    } catch (err) {
      this.#dirty = true;
      const reason = err instanceof Error ? err.message : String(err);
      // Logged once per failing streak, not at every interval.
      if (this.#flushError === null) logger.error({ state_file: file, reason }, 'cannot write the state file');
      this.#flushError = reason;
    }
  }
}
