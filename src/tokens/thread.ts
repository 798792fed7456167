// The gateway's side of the counting thread: started once, fed texts in slices, with a bounded backlog.
import { Worker } from 'node:worker_threads';
import type { FromWorker, JobMessage, ToWorker } from './protocol.js';

/**
 * Texts queued or being counted, in UTF-16 units: a job that would take the backlog past this is
 * not queued (its caller uses the UTF-8 bound instead). Twice the default body limit, and at most
 * ~64 MB of the thread's memory.
 */
const BACKLOG_UNITS = 32 * 1024 * 1024;
/** What a text costs beyond its length (messaging, a tokenizer call). */
const PER_TEXT_UNITS = 16;
/** One message's share of the texts: copying it takes well under a millisecond. */
const MESSAGE_UNITS = 64 * 1024;

export type JobSpec =
  | { readonly type: 'count'; readonly model: string; readonly atMost: number }
  | { readonly type: 'truncate'; readonly model: string; readonly maxTokens: number };

interface Waiting {
  readonly resolve: (answer: FromWorker | null) => void;
  readonly weight: number;
  readonly worker: Worker;
}

export class CountingThread {
  #worker: Worker | null = null;
  #ready: Promise<void> = Promise.resolve();
  readonly #waiting = new Map<number, Waiting>();
  #backlog = 0;
  #nextId = 1;

  constructor(
    private readonly script: URL,
    private readonly backlogUnits = BACKLOG_UNITS,
  ) {}

  /** Starts the thread (tiktoken loads there) and resolves once it counts; rejects when it cannot start. */
  warm(): Promise<void> {
    this.#start();
    return this.#ready;
  }

  /** The thread's answer; null when the backlog is full or the thread failed, so callers fall back to a bound. */
  async run(texts: readonly string[], spec: JobSpec): Promise<FromWorker | null> {
    let weight = 0;
    for (const text of texts) weight += text.length + PER_TEXT_UNITS;
    if (this.#backlog + weight > this.backlogUnits) return null;
    const worker = this.#start();
    const id = this.#nextId++;
    this.#backlog += weight;
    const answer = new Promise<FromWorker | null>((resolve) => this.#waiting.set(id, { resolve, weight, worker }));
    // Waiting for an answer keeps the process alive; an idle thread does not.
    if (this.#waiting.size === 1) worker.ref();
    await this.#send(worker, id, texts);
    worker.postMessage({ ...spec, id } satisfies JobMessage);
    return answer;
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    await worker?.terminate();
  }

  async #send(worker: Worker, id: number, texts: readonly string[]): Promise<void> {
    let parts: Array<readonly [number, string]> = [];
    let size = 0;
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i]!;
      for (let at = 0; at < text.length; ) {
        const end = Math.min(text.length, at + MESSAGE_UNITS - size);
        parts.push([i, text.slice(at, end)]);
        size += end - at + PER_TEXT_UNITS;
        at = end;
        if (size < MESSAGE_UNITS) continue;
        worker.postMessage({ type: 'text', id, parts } satisfies ToWorker);
        parts = [];
        size = 0;
        // Other requests run between the slices of a long prompt.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (parts.length > 0) worker.postMessage({ type: 'text', id, parts } satisfies ToWorker);
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(this.script);
    this.#worker = worker;
    worker.unref();
    let started = () => {};
    let failed: (err: Error) => void = () => {};
    this.#ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    // Nobody need be waiting for warm(): a thread that fails later shows as null answers.
    this.#ready.catch(() => {});
    worker.on('message', (message: FromWorker) => (message.type === 'ready' ? started() : this.#answer(message)));
    worker.on('error', (err) => failed(err));
    worker.on('exit', (code) => {
      failed(new Error(`the counting thread stopped (exit code ${code})`));
      if (this.#worker === worker) this.#worker = null;
      // Its jobs are lost: their callers fall back to bounds; the next job starts a new thread.
      for (const [id, waiting] of this.#waiting) {
        if (waiting.worker !== worker) continue;
        this.#waiting.delete(id);
        this.#backlog -= waiting.weight;
        waiting.resolve(null);
      }
    });
    return worker;
  }

  #answer(message: Exclude<FromWorker, { type: 'ready' }>): void {
    const waiting = this.#waiting.get(message.id);
    if (!waiting) return;
    this.#waiting.delete(message.id);
    this.#backlog -= waiting.weight;
    if (this.#waiting.size === 0) this.#worker?.unref();
    waiting.resolve(message.type === 'failed' ? null : message);
  }
}
