// The OpenAI chat completion request: the gateway's lingua franca, parsed once at the edge.
import { z } from 'zod';

const contentPart = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  image_url: z.union([z.string(), z.looseObject({ url: z.string(), detail: z.string().optional() })]).optional(),
});

const toolCall = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }).optional(),
});

export const chatMessageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(toolCall).optional(),
  tool_call_id: z.string().optional(),
});

const positiveInt = z.number().int().positive();

/** OpenAI's own limit on `n`. */
export const MAX_CHOICES = 128;
/**
 * More output tokens than any model produces in one answer (the largest today are in the tens of
 * thousands): a larger cap is a mistake or an attack, refused rather than reserved against.
 */
export const MAX_OUTPUT_TOKENS = 1_000_000;

const outputCap = positiveInt.max(
  MAX_OUTPUT_TOKENS,
  `at most ${MAX_OUTPUT_TOKENS} (no model produces more tokens in one answer)`,
);

export const chatRequestSchema = z.looseObject({
  model: z.string().min(1).max(256),
  messages: z.array(chatMessageSchema).min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: outputCap.nullable().optional(),
  max_completion_tokens: outputCap.nullable().optional(),
  n: positiveInt.max(MAX_CHOICES, `at most ${MAX_CHOICES}, as at OpenAI`).nullable().optional(),
  tools: z.array(z.unknown()).optional(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type ContentPart = z.infer<typeof contentPart>;

/** Text of a message's content, parts joined; images and audio contribute nothing. */
export function contentText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  let text = '';
  for (const part of content) if (typeof part.text === 'string') text += part.text;
  return text;
}
