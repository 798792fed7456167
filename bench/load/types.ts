// What every load generator is given and reports, so scenarios do not care which one ran.

export interface LoadSpec {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly connections: number;
  readonly durationS: number;
}

export interface LoadResult {
  /** 2xx responses completed in the interval. */
  readonly ok: number;
  /** Non-2xx responses, socket errors and timeouts. */
  readonly errors: number;
  readonly durationS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Streams only: time to the whole answer, and whether every stream was complete. */
  readonly streamP50Ms?: number;
  readonly incomplete?: number;
}

export interface LoadGenerator {
  readonly name: string;
  run(spec: LoadSpec): Promise<LoadResult>;
}
