// Streams a chat completion from an OpenAI-compatible upstream as chunks, with idle timeouts.
import type { Redactor } from '../redact.js';
import { parseSse } from '../sse.js';
import { type StreamChunk, UpstreamError } from '../types.js';
import { lostMidStream, malformed, timedOut } from '../upstream-errors.js';
import { chunkText, usageOf } from './chunks.js';
import { isErrorBody } from './errors.js';

/**
 * Yields the upstream's chunks until `[DONE]`. `abort` stops the upstream request; it is called
 * when the consumer stops early, and by the idle timer when no event comes for `idleMs`.
 */
export async function* upstreamChunks(
  body: AsyncIterable<Uint8Array>,
  target: { id: string; idleMs: number; redactor: Redactor },
  abort: (reason: unknown) => void,
): AsyncGenerator<StreamChunk> {
  let idle = false;
  const timer = setTimeout(() => {
    idle = true;
    abort(new Error('idle'));
  }, target.idleMs);
  try {
    for await (const event of parseSse(body)) {
      timer.refresh();
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
    if (idle) throw timedOut(target.id, target.idleMs);
    throw lostMidStream(target.id, err);
  } finally {
    clearTimeout(timer);
    abort(new Error('stream ended'));
  }
}
