// The one server-sent events parser and writer: every adapter and the gateway use these.

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** An event (its data lines, or one line still arriving) grew past the parser's limit. */
export class SseEventTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`an event is larger than ${limit} bytes`);
    this.name = 'SseEventTooLarge';
  }
}

const encoder = new TextEncoder();
const LF = 10;
const CR = 13;
const COLON = 58;

/** One `data:` event, encoded for the wire. */
export function sseData(data: string): Uint8Array {
  return encoder.encode(`data: ${data}\n\n`);
}

/**
 * Parses an SSE byte stream (a web or a Node stream) into events as they arrive (lines end in LF or
 * CRLF). It reads only as fast as it is iterated, and stopping the iteration stops the stream.
 *
 * Work is linear in the bytes received: each chunk is decoded once, and the part after its last LF
 * (an LF byte never occurs inside a UTF-8 character) is kept as a piece, joined once when its line
 * ends, so megabytes without a newline are never re-scanned. Memory is bounded: the data lines of one
 * event plus the line still arriving may hold `maxEventBytes`; past it, SseEventTooLarge.
 */
export async function* parseSse(
  body: AsyncIterable<Uint8Array>,
  { maxEventBytes }: { readonly maxEventBytes: number },
): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  /** The start of a line whose end has not arrived, decoded, and its size in bytes. */
  let pieces: string[] = [];
  let pending = 0;
  /** The current event's data lines, and what they hold (in characters, never more than their bytes). */
  let data: string[] = [];
  let held = 0;
  let event = '';
  const chunks = body[Symbol.asyncIterator]();
  try {
    for (;;) {
      const { value, done } = await chunks.next();
      if (done) return; // an event without its blank line was cut off: not an event
      const last = value.lastIndexOf(LF);
      if (last >= 0) {
        let text = decoder.decode(value.subarray(0, last + 1), { stream: true });
        if (pieces.length > 0) {
          pieces.push(text);
          text = pieces.join('');
          pieces = [];
          pending = 0;
        }
        for (let start = 0, nl = text.indexOf('\n'); nl >= 0; start = nl + 1, nl = text.indexOf('\n', start)) {
          const end = nl > start && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
          if (end === start) {
            if (data.length > 0) yield { event: event || 'message', data: data.join('\n') };
            data = [];
            held = 0;
            event = '';
            continue;
          }
          if (text.charCodeAt(start) === COLON) continue; // a comment, e.g. keep-alives
          // The colon is looked for within the line: a search running on to a later line's colon would make
          // many colon-less lines quadratic.
          const line = text.slice(start, end);
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let val = colon < 0 ? '' : line.slice(colon + 1);
          if (val.charCodeAt(0) === 32) val = val.slice(1);
          if (field === 'data') {
            held += val.length + 1;
            if (held > maxEventBytes) throw new SseEventTooLarge(maxEventBytes);
            data.push(val);
          } else if (field === 'event') event = val;
        }
      }
      if (last + 1 < value.length) {
        const tail = value.subarray(last + 1);
        pending += tail.length;
        if (held + pending > maxEventBytes) throw new SseEventTooLarge(maxEventBytes);
        pieces.push(decoder.decode(tail, { stream: true }));
      }
    }
  } finally {
    // Not awaited: a source that never acknowledges cancellation must not stall the caller.
    chunks.return?.()?.catch(() => {});
  }
}
