// Targets that speak OpenAI's wire format (OpenAI, vLLM, Ollama…): a base URL plus a key.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { compileModels } from '../../policies/model-access/index.js';
import { answerBoundsSchema } from '../bounds.js';
import { endOnReturn } from '../end-on-return.js';
import { createRedactor } from '../redact.js';
import { type ChatCall, type ChatTarget, type TargetDeps, TargetSetupError } from '../types.js';
import { aborted, malformed, timedOut, tooLarge, unreachable } from '../upstream-errors.js';
import { usageOf } from './chunks.js';
import { errorFromResponse } from './errors.js';
import { BodyTooLarge, createHttpClient, headerReader, readText } from './http.js';
import { upstreamChunks } from './stream.js';

export const secretRefSchema = z.strictObject({ env: z.string().min(1) });

export const openaiTargetSchema = z.strictObject({
  id: z.string().min(1),
  provider: z.literal('openai'),
  base_url: z.url().default('https://api.openai.com/v1'),
  models: z.array(z.string().min(1)).optional(),
  secret_key_ref: secretRefSchema.optional(),
  /** How long to wait for the response head, for the whole body after it, or (streams) for the next byte. */
  timeout_ms: z.number().int().positive().default(300_000),
  ...answerBoundsSchema,
});

export type OpenAITargetConfig = z.infer<typeof openaiTargetSchema>;

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
  /**
   * Upstreams sometimes echo the key or the headers they were sent: their text is masked here, before
   * it is cut short (a cut key would no longer be found whole), and again by the gateway.
   */
  const redactor = createRedactor([key]);
  const url = `${config.base_url.replace(/\/+$/, '')}/chat/completions`;
  const baseHeaders: Record<string, string> = { 'content-type': 'application/json' };
  if (key) baseHeaders.authorization = `Bearer ${key}`;

  const http = createHttpClient(config.base_url);

  /** Sends the call; resolves with a 2xx response whose head arrived within the timeout. */
  async function send(call: ChatCall, accept: string) {
    const exchange = http.post(
      url,
      { ...call.headers, ...baseHeaders, accept, 'x-request-id': call.requestId },
      call.body,
    );
    const release = call.client.onGone(() => exchange.destroy(new Error('client gone')));
    let headTimedOut = false;
    const head = setTimeout(() => {
      headTimedOut = true;
      exchange.destroy(new Error('timeout'));
    }, config.timeout_ms);
    let res: IncomingMessage;
    try {
      res = await exchange.response;
    } catch (err) {
      release();
      throw call.client.gone
        ? aborted()
        : headTimedOut
          ? timedOut(config.id, config.timeout_ms)
          : unreachable(config.id, err);
    } finally {
      clearTimeout(head);
    }
    const headers = headerReader(res);
    call.onHeaders?.(headers);
    const status = res.statusCode ?? 502;
    const abort = (reason: unknown) => {
      release();
      if (!res.complete) exchange.destroy(reason instanceof Error ? reason : new Error(String(reason)));
    };
    if (status < 200 || status >= 300) {
      // The status is the answer: a body that cannot be read, or is too large to hold, only loses its detail.
      const text = await readAll(call, res, abort).catch(() => '');
      throw errorFromResponse(config.id, status, redactor.text(text), headers);
    }
    return { res, status, abort };
  }

  /** The whole body as text, within timeout_ms and max_response_bytes; ends the exchange either way. */
  async function readAll(call: ChatCall, res: IncomingMessage, abort: (reason: unknown) => void): Promise<string> {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      abort(new Error('timeout'));
    }, config.timeout_ms);
    try {
      return await readText(res, config.max_response_bytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) throw tooLarge(config.id, config.max_response_bytes, 'response');
      throw call.client.gone ? aborted() : late ? timedOut(config.id, config.timeout_ms) : unreachable(config.id, err);
    } finally {
      clearTimeout(timer);
      abort(new Error('done'));
    }
  }

  return {
    id: config.id,
    provider: config.provider,
    models: config.models ? compileModels(config.models) : null,
    secrets: key ? [key] : [],
    async complete(call) {
      const { res, status, abort } = await send(call, 'application/json');
      const text = await readAll(call, res, abort);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw malformed(config.id, text, redactor);
      }
      return { status, body: text, usage: usageOf(parsed) };
    },
    async stream(call) {
      const { res, abort } = await send(call, 'text/event-stream');
      const bounds = {
        idleMs: config.timeout_ms,
        maxMs: config.stream_max_duration_ms,
        maxEventBytes: config.max_response_bytes,
      };
      return endOnReturn(upstreamChunks(res, { id: config.id, ...bounds, redactor }, abort), () =>
        abort(new Error('stream ended')),
      );
    },
  };
}
