// Targets that speak OpenAI's wire format (OpenAI, vLLM, Ollama…): a base URL plus a key.
import { z } from 'zod';
import { compileModels } from '../../policies/model-access/index.js';
import {
  type ChatCall,
  type ChatTarget,
  type Completion,
  type TargetDeps,
  TargetSetupError,
  type Usage,
} from '../types.js';
import { aborted, errorFromResponse, timedOut, unreachable } from './errors.js';

export const secretRefSchema = z.strictObject({ env: z.string().min(1) });

export const openaiTargetSchema = z.strictObject({
  id: z.string().min(1),
  provider: z.literal('openai'),
  base_url: z.url().default('https://api.openai.com/v1'),
  models: z.array(z.string().min(1)).optional(),
  secret_key_ref: secretRefSchema.optional(),
  timeout_ms: z.number().int().positive().default(300_000),
});

export type OpenAITargetConfig = z.infer<typeof openaiTargetSchema>;

const usageSchema = z.looseObject({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
});

/** Reads `usage` from a completion; anything malformed counts as not reported. */
export function usageOf(value: unknown): Usage | null {
  if (typeof value !== 'object' || value === null || !('usage' in value)) return null;
  const parsed = usageSchema.safeParse((value as { usage: unknown }).usage);
  if (!parsed.success) return null;
  const u = parsed.data;
  return { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens, totalTokens: u.total_tokens };
}

export function createOpenAITarget(
  config: OpenAITargetConfig,
  deps: TargetDeps,
  path: ReadonlyArray<string | number>,
): ChatTarget {
  let key: string | undefined;
  if (config.secret_key_ref) {
    key = deps.env[config.secret_key_ref.env];
    if (!key) {
      throw new TargetSetupError(
        `environment variable ${config.secret_key_ref.env} is not set (needed by target "${config.id}")`,
        [...path, 'secret_key_ref', 'env'],
      );
    }
  }
  const url = `${config.base_url.replace(/\/+$/, '')}/chat/completions`;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;

  return {
    id: config.id,
    provider: config.provider,
    models: config.models ? compileModels(config.models) : null,
    async complete(call: ChatCall): Promise<Completion> {
      const timeout = AbortSignal.timeout(config.timeout_ms);
      let res: Response;
      let text: string;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { ...headers, 'x-request-id': call.requestId },
          body: call.body,
          signal: AbortSignal.any([call.signal, timeout]),
        });
        text = await res.text();
      } catch (err) {
        if (call.signal.aborted) throw aborted();
        if (timeout.aborted) throw timedOut(config.id, config.timeout_ms);
        throw unreachable(config.id, err);
      }
      if (!res.ok) throw errorFromResponse(res.status, text, res.headers);
      let usage: Usage | null = null;
      try {
        usage = usageOf(JSON.parse(text));
      } catch {
        throw errorFromResponse(502, `invalid JSON from upstream: ${text.slice(0, 200)}`, res.headers);
      }
      return { status: res.status, body: text, usage };
    },
  };
}
