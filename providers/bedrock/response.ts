// Converse's answer to an OpenAI `chat.completion`: text, tool calls, finish reason and usage.
import type { ContentBlock, ConverseResponse, TokenUsage } from '@aws-sdk/client-bedrock-runtime';
import type { Usage } from '../types.js';
import { unusable } from './errors.js';

/** What the OpenAI body needs besides Bedrock's answer. */
export interface CompletionMeta {
  readonly id: string;
  /** Seconds since the epoch. */
  readonly created: number;
  readonly model: string;
  readonly targetId: string;
}

const FINISH: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

/** OpenAI's finish_reason for a stop reason; a malformed answer is an upstream failure, not a finish. */
export function finishReason(stopReason: string | undefined, targetId: string): string {
  if (stopReason === 'malformed_model_output' || stopReason === 'malformed_tool_use') {
    throw unusable(targetId, `the model stopped with ${stopReason}`);
  }
  return (stopReason && FINISH[stopReason]) || 'stop';
}

/**
 * Bedrock's usage in the gateway's terms, or null when it reported none. Cached prompt tokens count
 * as prompt tokens (as in OpenAI's usage), and Bedrock's own total is the one charged.
 */
export function usageFrom(usage: TokenUsage | undefined): Usage | null {
  if (usage?.inputTokens === undefined || usage.outputTokens === undefined) return null;
  const promptTokens = usage.inputTokens + (usage.cacheReadInputTokens ?? 0) + (usage.cacheWriteInputTokens ?? 0);
  const completionTokens = usage.outputTokens;
  return { promptTokens, completionTokens, totalTokens: usage.totalTokens ?? promptTokens + completionTokens };
}

/** The usage object of OpenAI's wire format. */
export function wireUsage(usage: Usage, reported?: TokenUsage): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
  };
  if (reported?.cacheReadInputTokens !== undefined) {
    wire.prompt_tokens_details = { cached_tokens: reported.cacheReadInputTokens };
  }
  return wire;
}

export interface ToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

function readContent(blocks: readonly ContentBlock[]): { text: string; toolCalls: ToolCall[] } {
  let text = '';
  const toolCalls: ToolCall[] = [];
  // Reasoning, citations and other block kinds have no place in a chat.completion message.
  for (const block of blocks) {
    if (block.text !== undefined) text += block.text;
    else if (block.toolUse) {
      const { toolUseId, name, input } = block.toolUse;
      toolCalls.push({
        id: toolUseId ?? '',
        type: 'function',
        function: { name: name ?? '', arguments: JSON.stringify(input ?? {}) },
      });
    }
  }
  return { text, toolCalls };
}

/** The `chat.completion` JSON text for a Converse answer, and the usage to reconcile. */
export function toCompletion(output: ConverseResponse, meta: CompletionMeta): { body: string; usage: Usage | null } {
  const message = output.output?.message;
  if (!message) throw unusable(meta.targetId, 'no message in the output');
  const finish = finishReason(output.stopReason, meta.targetId);
  const { text, toolCalls } = readContent(message.content ?? []);
  const usage = usageFrom(output.usage);
  const body = {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' && toolCalls.length > 0 ? null : text,
          refusal: null,
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finish,
      },
    ],
    ...(usage ? { usage: wireUsage(usage, output.usage) } : {}),
  };
  return { body: JSON.stringify(body), usage };
}
