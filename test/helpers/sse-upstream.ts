// Builds OpenAI-style SSE answers for msw: chunk by chunk, with or without usage, failing on demand.
import { HttpResponse } from 'msw';

export interface SseScript {
  /** Content deltas, one chunk each. */
  readonly pieces: readonly string[];
  /** Usage for the final chunk; null sends none (as some OpenAI-compatible servers do). */
  readonly usage: { prompt_tokens: number; completion_tokens: number } | null;
  /** Reset the connection after this many content chunks. */
  readonly failAfter?: number;
  /** Send a malformed event after this many content chunks. */
  readonly malformedAfter?: number;
  /** Resolves before each content chunk after the first `holdAfter` ones: lets a test pace the stream. */
  readonly gate?: (index: number) => Promise<void>;
}

const encoder = new TextEncoder();
const event = (data: unknown) => encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);

export function chunk(choices: unknown[], usage: unknown = null) {
  return {
    id: 'chatcmpl-up',
    object: 'chat.completion.chunk',
    created: 1_776_940_200,
    model: 'gpt-4o-mini',
    choices,
    usage,
  };
}

export function sseAnswer(script: SseScript): Response {
  let i = -1;
  const total = script.pieces.length;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      i++;
      if (i === 0) {
        controller.enqueue(
          event(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }])),
        );
        return;
      }
      const n = i - 1;
      if (n < total) {
        if (script.failAfter === n) return controller.error(new Error('connection reset'));
        if (script.malformedAfter === n) {
          controller.enqueue(event('{"id": "broken'));
          return;
        }
        await script.gate?.(n);
        controller.enqueue(event(chunk([{ index: 0, delta: { content: script.pieces[n] }, finish_reason: null }])));
        return;
      }
      if (n === total) {
        controller.enqueue(event(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }])));
        return;
      }
      if (n === total + 1 && script.usage) {
        const u = script.usage;
        controller.enqueue(event(chunk([], { ...u, total_tokens: u.prompt_tokens + u.completion_tokens })));
        return;
      }
      controller.enqueue(event('[DONE]'));
      controller.close();
    },
  });
  return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
}
