// Token counts: on a worker thread for the request path, so no count ever holds the event loop;
// the same counts on the calling thread for tests and tools.
import type { ChatRequest } from '../../providers/chat-schema.js';
import type { Tokenizer } from '../../providers/types.js';
import { counting, finish } from './count.js';
import { createEncoders } from './encoders.js';
import { promptParts, upperBound } from './prompt.js';
import { CountingThread } from './thread.js';

export { encodingFor } from './encoders.js';

export interface TollgateTokenizer extends Tokenizer {
  /** Starts the counting thread and waits until tiktoken is loaded there: call it at start-up. */
  warm(): Promise<void>;
  close(): Promise<void>;
  /** The exact count on the calling thread (tiktoken loads here on first use): tests and tools, never a request. */
  count(model: string, text: string): number;
  /** The same as promptTokensAsync, on the calling thread. */
  promptTokens(request: ChatRequest): number;
}

/**
 * The thread's script is the built one: beside this module in dist/, and dist/ too when tests run
 * the TypeScript sources (Node cannot start a worker from .ts; the tests' global setup builds dist/).
 */
function workerScript(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/src/tokens/worker.js', here) : new URL('./worker.js', here);
}

/** The longest start of `text` whose UTF-8 length is at most `maxBytes`: it holds at most that many tokens. */
function prefixWithin(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const unit = text.charCodeAt(end);
    const pair = unit >= 0xd800 && unit <= 0xdbff && end + 1 < text.length;
    const size = unit < 0x80 ? 1 : unit < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += pair ? 2 : 1;
  }
  return text.slice(0, end);
}

export function createTokenizer(options: { backlogUnits?: number } = {}): TollgateTokenizer {
  const thread = new CountingThread(workerScript(), options.backlogUnits);
  const encoderHere = createEncoders();
  const countHere = (model: string, texts: readonly string[]) => finish(counting(encoderHere(model), texts));

  return {
    promptUpperBound(request) {
      const { fixed, texts } = promptParts(request);
      return fixed + upperBound(texts);
    },
    async countAsync(model, text) {
      if (text.length === 0) return 0;
      const answer = await thread.run([text], { type: 'count', model, atMost: Number.POSITIVE_INFINITY });
      return answer?.type === 'counted' ? answer.tokens : upperBound([text]);
    },
    async promptTokensAsync(request, atMost = Number.POSITIVE_INFINITY) {
      const { fixed, texts } = promptParts(request);
      const answer = await thread.run(texts, { type: 'count', model: request.model, atMost: atMost - fixed });
      return answer?.type === 'counted' ? fixed + answer.tokens : null;
    },
    async truncate(model, text, maxTokens) {
      const answer = await thread.run([text], { type: 'truncate', model, maxTokens });
      if (answer?.type === 'truncated') return answer.text ?? text;
      return prefixWithin(text, maxTokens);
    },
    count: (model, text) => countHere(model, [text]),
    promptTokens(request) {
      const { fixed, texts } = promptParts(request);
      return fixed + countHere(request.model, texts);
    },
    warm: () => thread.warm(),
    close: () => thread.close(),
  };
}
