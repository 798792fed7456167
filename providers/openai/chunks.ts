// Reads what the gateway needs from OpenAI-shaped JSON: usage, and generated text per chunk.
import { z } from 'zod';
import type { Usage } from '../types.js';

const usageSchema = z.looseObject({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
});

/** Reads `usage` from a completion or chunk; anything absent or malformed is "not reported". */
export function usageOf(value: unknown): Usage | null {
  if (typeof value !== 'object' || value === null || !('usage' in value)) return null;
  const usage = (value as { usage: unknown }).usage;
  // Every chunk of a stream carries `"usage": null` until the last: skip the schema for those.
  if (typeof usage !== 'object' || usage === null) return null;
  const parsed = usageSchema.safeParse(usage);
  if (!parsed.success) return null;
  const u = parsed.data;
  return { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens, totalTokens: u.total_tokens };
}

interface ChunkShape {
  choices?: Array<{
    delta?: { content?: unknown; tool_calls?: Array<{ function?: { name?: unknown; arguments?: unknown } }> };
  }>;
}

/** Generated text in a chunk: content deltas and tool-call names and arguments. */
export function chunkText(chunk: unknown): string {
  const choices = (chunk as ChunkShape).choices;
  if (!Array.isArray(choices)) return '';
  let text = '';
  for (const choice of choices) {
    const delta = choice?.delta;
    if (!delta) continue;
    if (typeof delta.content === 'string') text += delta.content;
    if (!Array.isArray(delta.tool_calls)) continue;
    for (const call of delta.tool_calls) {
      if (typeof call?.function?.name === 'string') text += call.function.name;
      if (typeof call?.function?.arguments === 'string') text += call.function.arguments;
    }
  }
  return text;
}
