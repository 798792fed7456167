// What every part of a bench run shares: options, pinning, the load generator, where files go.
import { join, resolve } from 'node:path';
import type { Pinning } from './gateways.js';
import type { LoadGenerator } from './load/types.js';
import type { Machine } from './machine.js';
import type { BenchOptions } from './options.js';

export const ROOT = resolve(import.meta.dirname, '../..');
/** Gitignored: the JSON of every run, and profiles. */
export const RESULTS = join(ROOT, 'bench/results');

export interface Context {
  readonly options: BenchOptions;
  readonly pinning: Pinning;
  readonly loadgen: LoadGenerator;
  /** A temporary folder for configs and server logs. */
  readonly dir: string;
  /** How long a server idles after start before its idle RSS is read. */
  readonly settleMs: number;
  /** Read before pinning: once pinned, this process sees one core. */
  readonly host: Machine;
}
