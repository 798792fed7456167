// ConverseStream events to OpenAI `chat.completion.chunk`s, as OpenAI streams them with usage requested.
import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import type { StreamChunk } from '../types.js';
import { fromServiceError, unusable } from './errors.js';
import { type CompletionMeta, finishReason, usageFrom, wireUsage } from './response.js';

export type StreamTranslator = (event: ConverseStreamOutput) => StreamChunk | null;

/**
 * A translator for one stream: each event gives at most one chunk (null for events OpenAI has no
 * chunk for, such as block stops). `"usage": null` on every chunk, then the usage chunk with no
 * choices, built from the `metadata` event that follows `messageStop`.
 */
export function streamTranslator(meta: CompletionMeta): StreamTranslator {
  /** OpenAI numbers tool calls 0, 1, …; Bedrock numbers every content block. */
  const toolIndex = new Map<number, number>();

  const chunk = (choices: unknown[], text = '', usage: StreamChunk['usage'] = null, wire: unknown = null) => ({
    data: JSON.stringify({
      id: meta.id,
      object: 'chat.completion.chunk',
      created: meta.created,
      model: meta.model,
      choices,
      usage: wire,
    }),
    text,
    usage,
  });
  const choice = (delta: object, finish: string | null = null) => [
    { index: 0, delta, logprobs: null, finish_reason: finish },
  ];

  return (event) => {
    if (event.messageStart) return chunk(choice({ role: 'assistant', content: '', refusal: null }));
    if (event.contentBlockStart) {
      const { start, contentBlockIndex } = event.contentBlockStart;
      if (!start?.toolUse) return null;
      const index = toolIndex.size;
      toolIndex.set(contentBlockIndex ?? -1, index);
      const name = start.toolUse.name ?? '';
      const call = { index, id: start.toolUse.toolUseId ?? '', type: 'function', function: { name, arguments: '' } };
      return chunk(choice({ tool_calls: [call] }), name);
    }
    if (event.contentBlockDelta) {
      const { delta, contentBlockIndex } = event.contentBlockDelta;
      if (delta?.text !== undefined)
        return delta.text === '' ? null : chunk(choice({ content: delta.text }), delta.text);
      if (delta?.toolUse) {
        const index = toolIndex.get(contentBlockIndex ?? -1);
        if (index === undefined) throw unusable(meta.targetId, 'tool input for a block that was never started');
        const args = delta.toolUse.input ?? '';
        return chunk(choice({ tool_calls: [{ index, function: { arguments: args } }] }), args);
      }
      return null; // reasoning, citations: not part of a chat.completion.chunk
    }
    if (event.messageStop) return chunk(choice({}, finishReason(event.messageStop.stopReason, meta.targetId)));
    if (event.metadata) {
      const usage = usageFrom(event.metadata.usage);
      return usage ? chunk([], '', usage, wireUsage(usage, event.metadata.usage)) : null;
    }
    const failure = Object.entries(event).find(([key, value]) => key.endsWith('Exception') && value);
    if (failure) {
      const message = (failure[1] as { message?: unknown }).message;
      throw fromServiceError({ name: failure[0], message: typeof message === 'string' ? message : '' });
    }
    return null;
  };
}
