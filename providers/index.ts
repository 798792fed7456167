// The provider registry: each wire schema's target config and how to build its adapter.
import { z } from 'zod';
import { bedrockTargetSchema, createBedrockTarget } from './bedrock/index.js';
import { createMockTarget, mockTargetSchema } from './mock/index.js';
import { createOpenAITarget, openaiTargetSchema } from './openai/index.js';
import type { ChatTarget, TargetDeps } from './types.js';

export const targetSchema = z.discriminatedUnion('provider', [
  openaiTargetSchema,
  bedrockTargetSchema,
  mockTargetSchema,
]);
export type TargetConfig = z.infer<typeof targetSchema>;

export function createTarget(config: TargetConfig, deps: TargetDeps, path: ReadonlyArray<string | number>): ChatTarget {
  switch (config.provider) {
    case 'openai':
      return createOpenAITarget(config, deps, path);
    case 'bedrock':
      return createBedrockTarget(config, deps, path);
    case 'mock':
      return createMockTarget(config, deps);
  }
}

export { type ChatRequest, chatRequestSchema } from './chat-schema.js';
export * from './sse.js';
export * from './types.js';
