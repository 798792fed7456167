// A streamed answer's response: the relay around the upstream's chunks, settled once when it ends.
import type { Context } from 'hono';
import type { StreamChunk } from '../../providers/index.js';
import type { AppEnv } from './app-types.js';
import { relay, type StreamResult } from './relay.js';

export interface StreamAnswer {
  readonly c: Context<AppEnv>;
  readonly chunks: AsyncIterable<StreamChunk>;
  readonly clientWantsUsage: boolean;
  readonly countText: (text: string) => Promise<number>;
  /** Runs once when the stream has ended, however it ended; it handles its own failures. */
  readonly settle: (result: StreamResult) => Promise<void>;
}

/**
 * Runs `prepare`, then builds the response whose relay settles the stream at its end. Until the
 * response exists nothing will ever read the chunks, so a failure closes the upstream.
 */
export async function streamResponse(s: StreamAnswer, prepare: () => Promise<void>): Promise<Response> {
  try {
    await prepare();
    const event = s.c.get('event');
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const body = relay(s.chunks, s.clientWantsUsage, s.countText, s.c.get('redactor'), (result) => {
      event.stream_end = result.end;
      event.stream_error = result.error;
      event.completion_text = result.text;
      void s.settle(result).finally(finish);
    });
    const response = s.c.body(body, 200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      // Said outright, so the server writes the head at once rather than waiting to see whether
      // the first chunks make a body of known length.
      'transfer-encoding': 'chunked',
    });
    // Only now: an event waiting on a stream that never started would never be written.
    event.finished = finished;
    return response;
  } catch (err) {
    await s.chunks[Symbol.asyncIterator]().return?.();
    throw err;
  }
}
