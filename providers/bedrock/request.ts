// An OpenAI chat request to Converse input: every field is mapped, dropped when harmless, or refused.
import type { ConverseRequest, Tool, ToolConfiguration, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import { z } from 'zod';
import type { ChatRequest } from '../chat-schema.js';
import { requestedOutputCap } from '../types.js';
import { invalid, unsupported } from './errors.js';
import { toConverseMessages } from './messages.js';

type Json = NonNullable<ToolUseBlock['input']>;

/** Fields translated below. */
const MAPPED = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'tools',
  'tool_choice',
]);

const always = () => true;
/**
 * Fields Converse has no equivalent for, with the values that can be dropped without changing the
 * answer: identification and storage hints, what the gateway handles itself, and defaults.
 * A field missing here, or a value the rule rejects, is refused with a 400 naming it.
 */
const HARMLESS: Readonly<Record<string, (value: unknown) => boolean>> = {
  stream: always, // picks ConverseStream instead of Converse
  stream_options: always, // usage is always reported by Bedrock; the gateway shows it on request
  user: always,
  safety_identifier: always,
  prompt_cache_key: always,
  store: always,
  metadata: always,
  service_tier: always,
  n: (v) => v === 1,
  parallel_tool_calls: (v) => v === true,
  logprobs: (v) => v === false,
  presence_penalty: (v) => v === 0,
  frequency_penalty: (v) => v === 0,
  response_format: (v) => typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'text',
  modalities: (v) => Array.isArray(v) && v.every((m) => m === 'text'),
};

const functionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const mappedSchema = z.object({
  temperature: z.number().min(0).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  tools: z.array(functionTool).nullish(),
  tool_choice: z
    .union([
      z.enum(['none', 'auto', 'required']),
      z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
    ])
    .nullish(),
});
type Mapped = z.infer<typeof mappedSchema>;

const pathOf = (path: ReadonlyArray<PropertyKey>) =>
  path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '');

function checkFields(request: ChatRequest): Mapped {
  for (const [field, value] of Object.entries(request)) {
    if (MAPPED.has(field) || value === null || value === undefined) continue;
    if (HARMLESS[field]?.(value)) continue;
    throw unsupported(field, "Bedrock's Converse API has no equivalent.");
  }
  const parsed = mappedSchema.safeParse(request);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw invalid(pathOf(issue.path), issue.message);
}

const toolSpec = (tool: z.infer<typeof functionTool>): Tool => ({
  toolSpec: {
    name: tool.function.name,
    ...(tool.function.description ? { description: tool.function.description } : {}),
    inputSchema: { json: (tool.function.parameters ?? { type: 'object', properties: {} }) as Json },
    ...(tool.function.strict != null ? { strict: tool.function.strict } : {}),
  },
});

/** `toolConfig`, or undefined when the request offers no tools (or forbids them and never used any). */
function toolConfig(fields: Mapped, usesTools: boolean): ToolConfiguration | undefined {
  const tools = fields.tools ?? [];
  const choice = fields.tool_choice;
  if (tools.length === 0) {
    if (choice != null && choice !== 'none') throw invalid('tool_choice', 'tool_choice needs tools.');
    return undefined;
  }
  if (choice === 'none') {
    // Converse cannot forbid tool use, but offering none does, as long as the history has no tool blocks.
    if (!usesTools) return undefined;
    throw unsupported('tool_choice', "'none' cannot be honoured once the conversation contains tool calls.");
  }
  const config: ToolConfiguration = { tools: tools.map(toolSpec) };
  if (choice === 'auto') config.toolChoice = { auto: {} };
  else if (choice === 'required') config.toolChoice = { any: {} };
  else if (choice) config.toolChoice = { tool: { name: choice.function.name } };
  return config;
}

/** The Converse (and ConverseStream) input for a request; refuses what Converse cannot express. */
export function toConverseInput(request: ChatRequest): ConverseRequest {
  const fields = checkFields(request);
  const { system, messages } = toConverseMessages(request.messages);
  const usesTools = messages.some((m) => m.content?.some((b) => b.toolUse || b.toolResult));
  const maxTokens = requestedOutputCap(request);
  const inference = {
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(fields.temperature != null ? { temperature: fields.temperature } : {}),
    ...(fields.top_p != null ? { topP: fields.top_p } : {}),
    ...(fields.stop != null ? { stopSequences: typeof fields.stop === 'string' ? [fields.stop] : fields.stop } : {}),
  };
  const tools = toolConfig(fields, usesTools);
  return {
    modelId: request.model,
    messages,
    ...(system.length ? { system } : {}),
    ...(Object.keys(inference).length ? { inferenceConfig: inference } : {}),
    ...(tools ? { toolConfig: tools } : {}),
  };
}
