// A built-in target that answers locally: deterministic text, usage counted with the tokenizer.
import { z } from 'zod';
import { compileModels } from '../../policies/model-access/index.js';
import type { ChatRequest } from '../chat-schema.js';
import { contentText } from '../chat-schema.js';
import {
  type ChatCall,
  type ChatTarget,
  requestedOutputCap,
  type StreamChunk,
  type TargetDeps,
  type Usage,
} from '../types.js';

export const mockTargetSchema = z.strictObject({
  id: z.string().min(1),
  provider: z.literal('mock'),
  models: z.array(z.string().min(1)).optional(),
  /** A fixed reply; by default the mock echoes the last user message. */
  reply: z.string().optional(),
});

export type MockTargetConfig = z.infer<typeof mockTargetSchema>;

interface Answer {
  readonly text: string;
  readonly finishReason: 'stop' | 'length';
  readonly usage: Usage;
}

/** Counted one step after another: a long echo is never queued twice at once on the tokenizer. */
async function answer(config: MockTargetConfig, deps: TargetDeps, request: ChatRequest): Promise<Answer> {
  const lastUser = [...request.messages].reverse().find((m) => m.role === 'user');
  const full =
    config.reply ??
    `This is tollgate's mock target answering as ${request.model}. You said: ${lastUser ? contentText(lastUser.content) : ''}`;
  const cap = requestedOutputCap(request);
  const text = cap === undefined ? full : await deps.tokenizer.truncate(request.model, full, cap);
  const promptTokens = (await deps.tokenizer.promptTokensAsync(request)) ?? deps.tokenizer.promptUpperBound(request);
  const completionTokens = await deps.tokenizer.countAsync(request.model, text);
  return {
    text,
    finishReason: text === full ? 'stop' : 'length',
    usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
  };
}

const wireUsage = (u: Usage) => ({
  prompt_tokens: u.promptTokens,
  completion_tokens: u.completionTokens,
  total_tokens: u.totalTokens,
});

/** The answer as OpenAI streams it: role first, then word-sized deltas, the finish, the usage. */
async function* chunks(id: string, created: number, request: ChatRequest, a: Answer): AsyncGenerator<StreamChunk> {
  const withUsage = request.stream_options?.include_usage === true;
  const chunk = (choices: unknown[], usage: Usage | null = null, text = ''): StreamChunk => {
    const body: Record<string, unknown> = {
      id,
      object: 'chat.completion.chunk',
      created,
      model: request.model,
      choices,
    };
    if (withUsage) body.usage = usage ? wireUsage(usage) : null;
    return { data: JSON.stringify(body), text, usage };
  };
  const choice = (delta: object, finish: string | null = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finish,
  });
  yield chunk([choice({ role: 'assistant', content: '', refusal: null })]);
  for (const piece of a.text.match(/\s*\S+/g) ?? []) yield chunk([choice({ content: piece })], null, piece);
  yield chunk([choice({}, a.finishReason)]);
  if (withUsage) yield chunk([], a.usage);
}

export function createMockTarget(config: MockTargetConfig, deps: TargetDeps): ChatTarget {
  return {
    id: config.id,
    provider: config.provider,
    models: config.models ? compileModels(config.models) : null,
    secrets: [],
    async complete(call: ChatCall) {
      const a = await answer(config, deps, call.request);
      const body = {
        id: `chatcmpl-mock-${call.requestId}`,
        object: 'chat.completion',
        created: Math.floor(deps.now() / 1000),
        model: call.request.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: a.text, refusal: null },
            logprobs: null,
            finish_reason: a.finishReason,
          },
        ],
        usage: wireUsage(a.usage),
      };
      return { status: 200, body: JSON.stringify(body), usage: a.usage };
    },
    async stream(call: ChatCall) {
      const a = await answer(config, deps, call.request);
      return chunks(`chatcmpl-mock-${call.requestId}`, Math.floor(deps.now() / 1000), call.request, a);
    },
  };
}
