// An append-only JSON-lines file rotated by size (FILE → FILE.1 → …, the oldest dropped), written off the request path.
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, write } from 'node:fs';
import { dirname } from 'node:path';

export interface RotatingFileOptions {
  readonly path: string;
  /** A line that would take the file past this is written to a fresh file instead. */
  readonly maxBytes: number;
  /** Files kept, the one being written included. */
  readonly maxFiles: number;
  /** Told once per run of failures (disk full, directory gone): lines are dropped meanwhile. */
  readonly onError: (err: Error) => void;
}

/** The names the file's generations go by, newest first: FILE, FILE.1, … */
export function generations(path: string, maxFiles: number): string[] {
  return Array.from({ length: maxFiles }, (_, i) => (i === 0 ? path : `${path}.${i}`));
}

export class RotatingFile {
  readonly #options: RotatingFileOptions;
  #fd: number;
  #size: number;
  #queue: string[] = [];
  #writing = false;
  #failing = false;
  #closed = false;
  #idle: Array<() => void> = [];

  /** Opens (creating its directory) synchronously, so a bad path stops start-up rather than a request. */
  constructor(options: RotatingFileOptions) {
    this.#options = options;
    mkdirSync(dirname(options.path), { recursive: true });
    this.#fd = openSync(options.path, 'a');
    this.#size = fstatSync(this.#fd).size;
  }

  /** Queues one line (ending in a newline); lines reach the file in order, a batch per write. */
  write(line: string): boolean {
    if (this.#closed) return false;
    this.#queue.push(line);
    if (!this.#writing) this.#drain();
    return true;
  }

  /** Resolves once every queued line is written, then closes the file. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#writing) await new Promise<void>((done) => this.#idle.push(done));
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
  }

  #drain(): void {
    const first = this.#queue[0];
    if (first === undefined) {
      this.#writing = false;
      for (const done of this.#idle.splice(0)) done();
      return;
    }
    this.#writing = true;
    if (this.#size > 0 && this.#size + Buffer.byteLength(first) > this.#options.maxBytes) this.#rotate();
    if (!this.#open()) {
      this.#queue.length = 0;
      this.#drain();
      return;
    }
    let chunk = '';
    let bytes = 0;
    let taken = 0;
    for (const line of this.#queue) {
      const length = Buffer.byteLength(line);
      if (taken > 0 && this.#size + bytes + length > this.#options.maxBytes) break;
      chunk += line;
      bytes += length;
      taken++;
    }
    this.#queue.splice(0, taken);
    write(this.#fd, chunk, null, 'utf8', (err) => {
      if (err) this.#fail(err);
      else {
        this.#failing = false;
        this.#size += bytes;
      }
      this.#drain();
    });
  }

  /** Rare (once per max_bytes), so done synchronously: no line can land between rename and reopen. */
  #rotate(): void {
    const { path, maxFiles } = this.#options;
    try {
      closeSync(this.#fd);
      this.#fd = -1;
      const names = generations(path, maxFiles);
      rmSync(names.at(-1) ?? path, { force: true });
      for (let i = names.length - 2; i >= 0; i--) renameIfPresent(names[i]!, names[i + 1]!);
    } catch (err) {
      this.#fail(err as Error);
    }
  }

  /** Reopens after a rotation or a failed one; false (lines dropped) while that keeps failing. */
  #open(): boolean {
    if (this.#fd >= 0) return true;
    try {
      this.#fd = openSync(this.#options.path, 'a');
      this.#size = fstatSync(this.#fd).size;
      return true;
    } catch (err) {
      this.#fail(err as Error);
      return false;
    }
  }

  #fail(err: Error): void {
    if (!this.#failing) this.#options.onError(err);
    this.#failing = true;
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
