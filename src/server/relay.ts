// Relays a target's chunks to the client as SSE, pulled one at a time (the client's pace sets the
// upstream's), metering generated text and usage, and reporting once how the stream ended.
import { type StreamChunk, sseData, UpstreamError, type Usage } from '../../providers/index.js';

export type StreamEnd = 'ok' | 'client_aborted' | 'upstream_error';

export interface StreamResult {
  readonly end: StreamEnd;
  /** The text generated so far (all of it, when the stream completed). */
  readonly text: string;
  readonly usage: Usage | null;
  readonly error?: unknown;
}

const DONE = sseData('[DONE]');

/** The chunk as OpenAI sends it to a client that did not ask for usage, or null to drop it. */
function withoutUsage(chunk: StreamChunk): string | null {
  if (chunk.usage) {
    const parsed = JSON.parse(chunk.data) as { choices?: unknown[]; usage?: unknown };
    if (!parsed.choices || parsed.choices.length === 0) return null;
    delete parsed.usage;
    return JSON.stringify(parsed);
  }
  // A raw `"` cannot occur inside a JSON string, so these can only be the chunk's own field.
  return chunk.data.replace(',"usage":null', '').replace('"usage":null,', '');
}

export function relay(
  chunks: AsyncIterable<StreamChunk>,
  clientWantsUsage: boolean,
  onEnd: (result: StreamResult) => void,
): ReadableStream<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]();
  let text = '';
  let usage: Usage | null = null;
  let ended = false;
  const end = (kind: StreamEnd, error?: unknown) => {
    if (ended) return;
    ended = true;
    onEnd({ end: kind, text, usage, error });
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const next = await it.next();
            if (ended) return;
            if (next.done) {
              controller.enqueue(DONE);
              controller.close();
              end('ok');
              return;
            }
            const chunk = next.value;
            text += chunk.text;
            if (chunk.usage) usage = chunk.usage;
            const data = clientWantsUsage ? chunk.data : withoutUsage(chunk);
            if (data !== null) {
              controller.enqueue(sseData(data));
              return;
            }
          }
        } catch (err) {
          if (ended) return;
          const body =
            err instanceof UpstreamError
              ? err.body
              : {
                  error: {
                    message: 'The stream failed inside the gateway.',
                    type: 'server_error',
                    param: null,
                    code: 'internal_error',
                  },
                };
          controller.enqueue(sseData(JSON.stringify(body)));
          controller.close();
          end('upstream_error', err);
        }
      },
      async cancel() {
        end('client_aborted');
        await it.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
