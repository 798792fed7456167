// Bounds a wait for Redis in the event loop's free time: a blocked loop is not a slow Redis.

/** A timer may fire this late without the loop having been blocked. */
const TIMER_SLACK_MS = 10;

/** Redis did not answer a call within its deadline (of free loop time). */
export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
}

/**
 * Calls `expire` once `ms` have passed, not counting a stall of this process. A timer that fires late
 * (the loop was blocked: a long synchronous step) is re-armed once for the time it was late, at most
 * `ms` more: a reply that needs this process to send a second command (a script Redis forgot) still
 * gets its time. `expire` then waits for one turn of I/O, because timers run before sockets are read
 * and a reply that arrived during the stall is waiting there. Returns a function that cancels it.
 */
export function afterFreeTime(ms: number, expire: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let turn: NodeJS.Immediate | undefined;
  const arm = (wait: number, extended: boolean) => {
    const due = performance.now() + wait;
    timer = setTimeout(() => {
      const late = performance.now() - due;
      if (!extended && late > TIMER_SLACK_MS) arm(Math.min(late, ms), true);
      else turn = setImmediate(expire);
    }, wait);
  };
  arm(ms, false);
  return () => {
    clearTimeout(timer);
    clearImmediate(turn);
  };
}

/** `work`, or a RedisTimeoutError once it has had `ms` of free loop time without settling. */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = afterFreeTime(ms, () => reject(new RedisTimeoutError(`Redis did not answer within ${ms} ms`)));
    work.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (err: unknown) => {
        cancel();
        reject(err);
      },
    );
  });
}
