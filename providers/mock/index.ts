// A built-in target that answers locally: deterministic text, usage counted with the tokenizer.
import { z } from 'zod';
import { compileModels } from '../../policies/model-access/index.js';
import { contentText } from '../chat-schema.js';
import { type ChatCall, type ChatTarget, type Completion, requestedOutputCap, type TargetDeps } from '../types.js';

export const mockTargetSchema = z.strictObject({
  id: z.string().min(1),
  provider: z.literal('mock'),
  models: z.array(z.string().min(1)).optional(),
  /** A fixed reply; by default the mock echoes the last user message. */
  reply: z.string().optional(),
});

export type MockTargetConfig = z.infer<typeof mockTargetSchema>;

export function mockReply(config: MockTargetConfig, call: ChatCall): string {
  if (config.reply !== undefined) return config.reply;
  const lastUser = [...call.request.messages].reverse().find((m) => m.role === 'user');
  const said = lastUser ? contentText(lastUser.content) : '';
  return `This is tollgate's mock target answering as ${call.request.model}. You said: ${said}`;
}

export function createMockTarget(config: MockTargetConfig, deps: TargetDeps): ChatTarget {
  return {
    id: config.id,
    provider: config.provider,
    models: config.models ? compileModels(config.models) : null,
    async complete(call: ChatCall): Promise<Completion> {
      const { model } = call.request;
      const full = mockReply(config, call);
      const cap = requestedOutputCap(call.request);
      const text = cap === undefined ? full : deps.tokenizer.truncate(model, full, cap);
      const promptTokens = deps.tokenizer.promptTokens(call.request);
      const completionTokens = deps.tokenizer.count(model, text);
      const usage = { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
      const body = {
        id: `chatcmpl-mock-${call.requestId}`,
        object: 'chat.completion',
        created: Math.floor(deps.now() / 1000),
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: text, refusal: null },
            logprobs: null,
            finish_reason: text === full ? 'stop' : 'length',
          },
        ],
        usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: usage.totalTokens },
      };
      return { status: 200, body: JSON.stringify(body), usage };
    },
  };
}
