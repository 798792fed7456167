// msw standing in for an OpenAI-compatible upstream: records what it was sent, answers as told.
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';

export const UPSTREAM = 'https://api.openai.test/v1';

export interface Received {
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  /** The body exactly as the gateway sent it, to check what was forwarded byte for byte. */
  readonly text: string;
}

export type Answer = (req: Received) => Response | Promise<Response>;

export function completion(
  content: string,
  usage: { prompt_tokens: number; completion_tokens: number } | null,
  model = 'gpt-4o-mini',
) {
  return {
    id: 'chatcmpl-upstream',
    object: 'chat.completion',
    created: 1_776_940_200,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    ...(usage ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } } : {}),
  };
}

/** An upstream that answers with `answer` (default: a fixed completion of 150 tokens). */
export function fakeOpenAI() {
  const received: Received[] = [];
  let answer: Answer = () => HttpResponse.json(completion('Hi there!', { prompt_tokens: 8, completion_tokens: 142 }));
  const server = setupServer(
    http.post(`${UPSTREAM}/chat/completions`, async ({ request }) => {
      const text = await request.text();
      const got: Received = { headers: request.headers, body: JSON.parse(text) as Record<string, unknown>, text };
      received.push(got);
      return answer(got);
    }),
  );
  return {
    received,
    answer(fn: Answer) {
      answer = fn;
    },
    listen: () => server.listen({ onUnhandledRequest: 'bypass' }),
    reset() {
      received.length = 0;
      answer = () => HttpResponse.json(completion('Hi there!', { prompt_tokens: 8, completion_tokens: 142 }));
    },
    close: () => server.close(),
  };
}

/**
 * Answers like a real upstream: never more completion tokens than the max_completion_tokens (or
 * max_tokens) it was sent, so a budget's bound is exact. `promptOf` counts the prompt as the
 * gateway does (team.ts); each answer's total is pushed to `spent`.
 */
export function withinCap(completionTokens: number, spent: number[], promptOf: (body: unknown) => number): Answer {
  return ({ body }) => {
    const cap = Number(body.max_completion_tokens ?? body.max_tokens ?? Number.POSITIVE_INFINITY);
    const usage = { prompt_tokens: promptOf(body), completion_tokens: Math.min(completionTokens, cap) };
    spent.push(usage.prompt_tokens + usage.completion_tokens);
    return HttpResponse.json(completion('ok', usage));
  };
}
