// Wraps a stream's iterator so that stopping it always ends the upstream call, even before its first chunk.
/**
 * An async generator stopped before its first `next()` never enters its body, so its `finally` (which
 * ends the upstream request) never runs: `end` is called on every `return()` instead.
 */
export function endOnReturn<T>(it: AsyncGenerator<T>, end: () => void): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]: (): AsyncIterator<T> => ({
      next: () => it.next(),
      return: (value?: unknown) => {
        end();
        return it.return(value as T);
      },
    }),
  };
}
