// How far an upstream answer may go, for every target: its size, its silence and its length.
import { z } from 'zod';

const MiB = 1024 * 1024;

/** The fields every HTTP target's config shares; spread into each target schema. */
export const answerBoundsSchema = {
  /** The most bytes of one answer: a whole body, or one streamed event. Past it the answer is a 502. */
  max_response_bytes: z
    .number()
    .int()
    .positive()
    // A larger body could not become one string anyway (V8 caps strings near 512 MiB).
    .max(256 * MiB)
    .default(32 * MiB),
  /** The longest a streamed answer may last from its response head, however steadily bytes arrive. */
  stream_max_duration_ms: z
    .number()
    .int()
    .positive()
    // Node runs a longer timer at once: 24.8 days is the most a timer can wait.
    .max(2 ** 31 - 1)
    .default(1_800_000),
};

export type Expiry = 'idle' | 'duration';

/**
 * The two deadlines of one stream. Idle counts only while the gateway waits for the upstream (a
 * slow client pausing the stream is not the upstream's silence), and any byte ends the silence,
 * keep-alive comments included. The duration runs from the response head whatever the pace.
 * `expire` is called once, with the deadline that passed first.
 */
export function streamDeadlines(idleMs: number, maxMs: number, expire: (why: Expiry) => void) {
  let expired: Expiry | null = null;
  let idle: NodeJS.Timeout | undefined;
  const fire = (why: Expiry) => {
    if (expired) return;
    expired = why;
    expire(why);
  };
  const total = setTimeout(() => fire('duration'), maxMs);
  return {
    get expired(): Expiry | null {
      return expired;
    },
    /** The gateway starts waiting for upstream bytes: silence counts from now. */
    waiting() {
      clearTimeout(idle);
      idle = setTimeout(() => fire('idle'), idleMs);
    },
    /** Bytes arrived while waiting: the silence starts again. */
    bytes() {
      idle?.refresh();
    },
    /** The gateway has what it waited for: the upstream owes nothing until the next wait. */
    resting() {
      clearTimeout(idle);
      idle = undefined;
    },
    end() {
      clearTimeout(idle);
      clearTimeout(total);
    },
  };
}

export type StreamDeadlines = ReturnType<typeof streamDeadlines>;

/** The source's items, with the deadlines told when the gateway waits for one and when it comes. */
export function watched<T>(source: AsyncIterable<T>, deadlines: StreamDeadlines): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const it = source[Symbol.asyncIterator]();
      return {
        async next() {
          deadlines.waiting();
          try {
            return await it.next();
          } finally {
            deadlines.resting();
          }
        },
        return: async (value?: unknown) => (await it.return?.(value)) ?? { done: true, value: undefined },
      };
    },
  };
}
