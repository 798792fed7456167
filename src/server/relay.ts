// Relays a target's chunks to the client as SSE, pulled one at a time (the client's pace sets the
// upstream's), metering generated text and usage, and reporting once how the stream ended.
import { type StreamChunk, sseData, UpstreamError, type Usage } from '../../providers/index.js';
import type { Redactor } from '../../providers/redact.js';

export type StreamEnd = 'ok' | 'client_aborted' | 'upstream_error';

export interface StreamResult {
  readonly end: StreamEnd;
  /** The start of the generated text (at most KEPT_CHARS), for events that include content. */
  readonly text: string;
  /** Completion tokens counted from the generated text (scaled from its start when long), for when the upstream reported no usage. */
  completionTokens(): Promise<number>;
  readonly usage: Usage | null;
  readonly error?: unknown;
}

/**
 * A stream keeps at most this much of its text: the count of a longer answer is scaled from it, so
 * memory does not grow with the answer and the tokenizer runs once, only when usage is missing.
 */
const SAMPLE_CHARS = 256 * 1024;
const KEPT_CHARS = 64 * 1024;

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
  countTokens: (text: string) => Promise<number>,
  redactor: Redactor,
  onEnd: (result: StreamResult) => void,
): ReadableStream<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]();
  let sample = '';
  let chars = 0;
  let usage: Usage | null = null;
  let ended = false;
  const take = (text: string) => {
    chars += text.length;
    if (sample.length < SAMPLE_CHARS) sample += text.slice(0, SAMPLE_CHARS - sample.length);
  };
  const completionTokens = async () => {
    if (sample.length === 0) return 0;
    const tokens = await countTokens(sample);
    return sample.length === chars ? tokens : Math.ceil((tokens * chars) / sample.length);
  };
  const end = (kind: StreamEnd, error?: unknown) => {
    if (ended) return;
    ended = true;
    onEnd({ end: kind, text: sample.slice(0, KEPT_CHARS), completionTokens, usage, error });
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
            if (chunk.text) take(chunk.text);
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
              ? redactor.errorBody(err.body)
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
