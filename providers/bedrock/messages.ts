// OpenAI chat messages to Converse's `system` blocks and alternating user/assistant messages.
import type {
  ContentBlock,
  ImageFormat,
  Message,
  SystemContentBlock,
  ToolUseBlock,
} from '@aws-sdk/client-bedrock-runtime';
import type { ChatMessage, ContentPart } from '../chat-schema.js';
import { unsupported } from './errors.js';

export interface ConverseMessages {
  readonly system: SystemContentBlock[];
  readonly messages: Message[];
}

/** Message fields with no Converse equivalent that carry nothing when dropped (replayed SDK output). */
const HARMLESS_MESSAGE_FIELDS: Readonly<Record<string, (value: unknown) => boolean>> = {
  refusal: (v) => v === null,
  annotations: () => true,
  audio: (v) => v === null,
  function_call: (v) => v === null,
};
const MAPPED_MESSAGE_FIELDS = new Set(['role', 'content', 'tool_calls', 'tool_call_id']);

type ToolInput = NonNullable<ToolUseBlock['input']>;

const IMAGE_FORMATS: Readonly<Record<string, ImageFormat>> = {
  png: 'png',
  jpeg: 'jpeg',
  jpg: 'jpeg',
  gif: 'gif',
  webp: 'webp',
};
const DATA_URL = /^data:image\/([a-z]+);base64,(.*)$/s;

function checkFields(message: ChatMessage, at: string): void {
  for (const [field, value] of Object.entries(message)) {
    if (MAPPED_MESSAGE_FIELDS.has(field) || value === undefined) continue;
    const harmless = HARMLESS_MESSAGE_FIELDS[field];
    if (harmless?.(value)) continue;
    throw unsupported(`${at}.${field}`, 'Converse messages have no such field.');
  }
}

function imageBlock(part: ContentPart, at: string): ContentBlock {
  const url = typeof part.image_url === 'string' ? part.image_url : part.image_url?.url;
  const match = url === undefined ? null : DATA_URL.exec(url);
  if (!match) {
    throw unsupported(`${at}.image_url`, 'only base64 data URLs (data:image/png;base64,…) can be sent to Bedrock.');
  }
  const format = IMAGE_FORMATS[match[1]!];
  if (!format) throw unsupported(`${at}.image_url`, `image/${match[1]} is not one of png, jpeg, gif or webp.`);
  return { image: { format, source: { bytes: new Uint8Array(Buffer.from(match[2]!, 'base64')) } } };
}

/** The text parts of a message (skipping empty ones); `images` lets image parts through as blocks. */
function contentBlocks(content: ChatMessage['content'], at: string, images: boolean): ContentBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  return (content ?? []).flatMap((part, j): ContentBlock[] => {
    const partAt = `${at}.content[${j}]`;
    if (part.type === 'text' && typeof part.text === 'string') return part.text === '' ? [] : [{ text: part.text }];
    if (part.type === 'image_url' && images) return [imageBlock(part, partAt)];
    throw unsupported(`${partAt}.type`, `content parts of type '${part.type}' cannot be sent in this message.`);
  });
}

const textsOf = (content: ChatMessage['content'], at: string): string[] =>
  contentBlocks(content, at, false).map((block) => block.text ?? '');

function toolUses(message: ChatMessage, at: string): ContentBlock[] {
  return (message.tool_calls ?? []).map((call, j): ContentBlock => {
    const callAt = `${at}.tool_calls[${j}]`;
    if (call.type !== undefined && call.type !== 'function') {
      throw unsupported(`${callAt}.type`, 'only function tool calls are supported.');
    }
    if (!call.id || !call.function) throw unsupported(callAt, 'a tool call needs an id and a function.');
    let input: unknown;
    try {
      input = JSON.parse(call.function.arguments);
    } catch {
      throw unsupported(`${callAt}.function.arguments`, 'the arguments must be a JSON object.');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw unsupported(`${callAt}.function.arguments`, 'the arguments must be a JSON object.');
    }
    return { toolUse: { toolUseId: call.id, name: call.function.name, input: input as ToolInput } };
  });
}

function toolResult(message: ChatMessage, at: string): ContentBlock {
  if (!message.tool_call_id) throw unsupported(`${at}.tool_call_id`, 'a tool message needs the id of its call.');
  const texts = textsOf(message.content, at);
  const content = (texts.length ? texts : ['']).map((text) => ({ text }));
  return { toolResult: { toolUseId: message.tool_call_id, content } };
}

/**
 * Splits system and developer messages out (in order) and turns the rest into Converse messages.
 * Tool results travel in user messages, and neighbours of the same role merge, because Converse
 * wants user and assistant to alternate.
 */
export function toConverseMessages(messages: readonly ChatMessage[]): ConverseMessages {
  const system: SystemContentBlock[] = [];
  const out: Message[] = [];
  messages.forEach((message, i) => {
    const at = `messages[${i}]`;
    if (message.role === 'function') {
      throw unsupported(`${at}.role`, "the legacy 'function' role is not supported; use tool messages.");
    }
    checkFields(message, at);
    let role: 'user' | 'assistant';
    let blocks: ContentBlock[];
    switch (message.role) {
      case 'system':
      case 'developer':
        for (const text of textsOf(message.content, at)) system.push({ text });
        return;
      case 'user':
        role = 'user';
        blocks = contentBlocks(message.content, at, true);
        break;
      case 'assistant':
        role = 'assistant';
        blocks = [...contentBlocks(message.content, at, false), ...toolUses(message, at)];
        break;
      case 'tool':
        role = 'user';
        blocks = [toolResult(message, at)];
        break;
    }
    if (blocks.length === 0) throw unsupported(`${at}.content`, 'Converse does not accept an empty message.');
    const last = out.at(-1);
    if (last?.role === role) last.content = [...(last.content ?? []), ...blocks];
    else out.push({ role, content: blocks });
  });
  return { system, messages: out };
}
