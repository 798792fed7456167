// Types of the pure budget engine: limits, their counter windows, and the admission decision.
/** What a limit counts; quotas are counted after the response, never reserved. */
export type Unit = 'requests' | 'tokens' | 'quota';

/** One limit of a policy, compiled from config: `limit` units per `windowMs`. */
export interface LimitSpec {
  /** The config name reported to clients, e.g. `tokens_per_minute`. */
  readonly name: string;
  readonly unit: Unit;
  readonly limit: number;
  readonly windowMs: number;
  /** Counter granularity: usage is held until its bucket has fully left the window. */
  readonly bucketMs: number;
  readonly sliding: boolean;
  /** Counts only traffic to this provider target (by target id); absent counts all traffic. */
  readonly provider?: string;
  /** For quota limits: the quota's name as configured. */
  readonly quota?: string;
}

/** A limit applied to one counter: the bucket key says whose usage it counts. */
export interface LimitCheck {
  readonly key: string;
  readonly spec: LimitSpec;
}

/** Usage recorded in one bucket of a window, `start` in epoch ms. */
export interface Bucket {
  start: number;
  amount: number;
  /**
   * When usage was last added (epoch ms). A sliding window holds the bucket until this has left
   * it, so no usage is held longer than the window, and none is freed before its time.
   */
  last: number;
}

/** A window's buckets, oldest first. */
export type WindowState = Bucket[];

/** What a request asks for: one request, its estimated prompt, and an output allowance. */
export interface Demand {
  readonly promptTokens: number;
  /** Output tokens the request wants reserved (its max tokens, or the configured default). */
  readonly desiredOutput: number;
  /** Below this allowance the request is refused rather than sent with a uselessly small cap. */
  readonly minOutput: number;
}

export type Decision =
  | { readonly admitted: true; readonly outputAllowance: number; readonly tokens: number }
  | {
      readonly admitted: false;
      readonly check: LimitCheck;
      readonly retryAfterMs: number;
      /** What the request needed of that limit: 1 request, or prompt plus minimum output. */
      readonly needed: number;
      /** The request can never fit this limit, whatever the wait. */
      readonly neverFits: boolean;
      /** What that limit has left now. */
      readonly remaining: number;
      /**
       * The largest output allowance the same prompt would be admitted with now; 0 when none would
       * (a limit that is not a token limit refuses, or the prompt alone does not fit).
       */
      readonly outputThatFits: number;
    };

/** A limit's state as shown to clients. */
export interface LimitSnapshot {
  readonly check: LimitCheck;
  readonly used: number;
  readonly remaining: number;
  /** When everything counted now has left the window (epoch ms). */
  readonly resetAt: number;
}
