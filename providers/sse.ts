// The one server-sent events parser and writer: every adapter and the gateway use these.

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

const encoder = new TextEncoder();

/** One `data:` event, encoded for the wire. */
export function sseData(data: string): Uint8Array {
  return encoder.encode(`data: ${data}\n\n`);
}

/**
 * Parses an SSE byte stream (a web or a Node stream) into events as they arrive (lines end in LF or
 * CRLF). It reads only as fast as it is iterated, and stopping the iteration stops the stream.
 */
export async function* parseSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event = '';
  const chunks = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      const { value, done } = await chunks.next();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let start = 0;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n', start)) {
        const line = buffer.charCodeAt(nl - 1) === 13 ? buffer.slice(start, nl - 1) : buffer.slice(start, nl);
        start = nl + 1;
        if (line === '') {
          if (data.length > 0) yield { event: event || 'message', data: data.join('\n') };
          data = [];
          event = '';
          continue;
        }
        if (line.charCodeAt(0) === 58) continue; // ':' comment, e.g. keep-alives
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val.charCodeAt(0) === 32) val = val.slice(1);
        if (field === 'data') data.push(val);
        else if (field === 'event') event = val;
      }
      buffer = buffer.slice(start);
      if (done) return;
    }
  } finally {
    // Not awaited: a source that never acknowledges cancellation must not stall the caller.
    chunks.return?.()?.catch(() => {});
  }
}
