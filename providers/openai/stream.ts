// Streams a chat completion from an OpenAI-compatible upstream as chunks, within the target's bounds.
import { streamDeadlines, watched } from '../bounds.js';
import type { Redactor } from '../redact.js';
import { parseSse, SseEventTooLarge } from '../sse.js';
import { type StreamChunk, UpstreamError } from '../types.js';
import { lostMidStream, malformed, streamTooLong, timedOut, tooLarge } from '../upstream-errors.js';
import { chunkText, usageOf } from './chunks.js';
import { isErrorBody } from './errors.js';

export interface StreamTarget {
  readonly id: string;
  /** Silence allowed while the gateway waits for the upstream's next byte. */
  readonly idleMs: number;
  /** The stream's whole length, from its first read. */
  readonly maxMs: number;
  /** The largest event the parser may hold. */
  readonly maxEventBytes: number;
  /** Masks what the upstream echoes of the gateway's credentials. */
  readonly redactor: Redactor;
}

/**
 * Yields the upstream's chunks until `[DONE]`. `abort` stops the upstream request; it is called
 * when the consumer stops early, and when a deadline passes (see streamDeadlines).
 */
export async function* upstreamChunks(
  body: AsyncIterable<Uint8Array>,
  target: StreamTarget,
  abort: (reason: unknown) => void,
): AsyncGenerator<StreamChunk> {
  const deadlines = streamDeadlines(target.idleMs, target.maxMs, (why) => abort(new Error(why)));
  try {
    for await (const event of parseSse(watched(body, deadlines), { maxEventBytes: target.maxEventBytes })) {
      if (event.data === '[DONE]') return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        throw malformed(target.id, event.data, target.redactor);
      }
      if (isErrorBody(parsed)) {
        // An error event may echo the gateway's key: pass it on masked.
        throw new UpstreamError(502, 'error_response', target.redactor.errorBody(parsed));
      }
      yield { data: event.data, text: chunkText(parsed), usage: usageOf(parsed) };
    }
    // OpenAI-compatible streams end with [DONE]; an end without it is a cut connection.
    throw lostMidStream(target.id, new Error('the stream ended without [DONE]'));
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    if (err instanceof SseEventTooLarge) throw tooLarge(target.id, err.limit, 'stream event');
    if (deadlines.expired === 'idle') throw timedOut(target.id, target.idleMs);
    if (deadlines.expired === 'duration') throw streamTooLong(target.id, target.maxMs);
    throw lostMidStream(target.id, err);
  } finally {
    deadlines.end();
    abort(new Error('stream ended'));
  }
}
