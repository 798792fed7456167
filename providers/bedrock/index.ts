// Bedrock targets: the Converse and ConverseStream calls, with the client's abort and the target's bounds.

import { compileModels } from '../../policies/model-access/index.js';
import { type StreamDeadlines, streamDeadlines, watched } from '../bounds.js';
import { endOnReturn } from '../end-on-return.js';
import { type ChatCall, type ChatTarget, type StreamChunk, type TargetDeps, UpstreamError } from '../types.js';
import { aborted, lostMidStream, streamTooLong, timedOut, tooLarge, unreachable } from '../upstream-errors.js';
import { type BedrockTargetConfig, clientSettings } from './config.js';
import { fromServiceError, isServiceError, unusable } from './errors.js';
import { meteredHandler } from './metered-handler.js';
import { toConverseInput } from './request.js';
import { type CompletionMeta, toCompletion } from './response.js';
import { type StreamTranslator, streamTranslator } from './stream.js';

export { type BedrockTargetConfig, bedrockTargetSchema } from './config.js';

/**
 * One upstream call's abort signal: follows the client's, fires after `timeout_ms` without an
 * answer, and once the stream has begun, when its deadlines pass (see streamDeadlines).
 */
function guard(call: ChatCall, config: BedrockTargetConfig) {
  const upstream = new AbortController();
  const follow = () => upstream.abort(call.client.signal.reason);
  if (call.client.signal.aborted) follow();
  else call.client.signal.addEventListener('abort', follow, { once: true });
  let expired: 'idle' | 'duration' | null = null;
  const stop = (why: 'idle' | 'duration') => {
    expired ??= why;
    upstream.abort(new Error(why));
  };
  const answer = setTimeout(() => stop('idle'), config.timeout_ms);
  let deadlines: StreamDeadlines | undefined;
  return {
    signal: upstream.signal,
    /** The answer's head is in: from now the stream's own deadlines apply. */
    streaming(): StreamDeadlines {
      clearTimeout(answer);
      deadlines = streamDeadlines(config.timeout_ms, config.stream_max_duration_ms, stop);
      return deadlines;
    },
    /** Bytes of the answer arrived. */
    bytes: () => deadlines?.bytes(),
    /** The UpstreamError for whatever ended the call; `midStream` once chunks have been yielded. */
    failure(err: unknown, midStream: boolean): UpstreamError {
      if (err instanceof UpstreamError) return err;
      if (expired === 'idle') return timedOut(config.id, config.timeout_ms);
      if (expired === 'duration') return streamTooLong(config.id, config.stream_max_duration_ms);
      if (call.client.signal.aborted) return aborted();
      if (isServiceError(err)) return fromServiceError(err);
      return midStream ? lostMidStream(config.id, err) : unreachable(config.id, err);
    },
    /** Stops the upstream request if it still runs (a stream the consumer left early). */
    end() {
      clearTimeout(answer);
      deadlines?.end();
      call.client.signal.removeEventListener('abort', follow);
      upstream.abort(new Error('done'));
    },
  };
}
type Guard = ReturnType<typeof guard>;

async function* chunks(
  events: AsyncIterable<Parameters<StreamTranslator>[0]>,
  translate: StreamTranslator,
  g: Guard,
): AsyncGenerator<StreamChunk> {
  try {
    for await (const event of watched(events, g.streaming())) {
      const chunk = translate(event);
      if (chunk) yield chunk;
    }
  } catch (err) {
    throw g.failure(err, true);
  } finally {
    g.end();
  }
}

/** The chunks, ending the upstream call even when the consumer stops before the first one. */
function chunkStream(events: AsyncIterable<Parameters<StreamTranslator>[0]>, translate: StreamTranslator, g: Guard) {
  return endOnReturn(chunks(events, translate, g), () => g.end());
}

export function createBedrockTarget(
  config: BedrockTargetConfig,
  deps: TargetDeps,
  path: ReadonlyArray<string | number>,
): ChatTarget {
  // Credentials are checked now (a missing variable stops the start); the SDK, tens of MiB, is
  // loaded on the first call, so gateways without Bedrock traffic never pay for it.
  const settings = clientSettings(config, deps.env, path);
  let sdk: ReturnType<typeof loadSdk> | undefined;
  const loadSdk = async () => {
    const [runtime, http] = await Promise.all([
      import('@aws-sdk/client-bedrock-runtime'),
      import('@smithy/node-http-handler'),
    ]);
    const metered = meteredHandler(http, {
      maxBytes: config.max_response_bytes,
      tooLarge: (what) => tooLarge(config.id, config.max_response_bytes, what),
    });
    const client = new runtime.BedrockRuntimeClient({
      ...settings,
      // The caller decides about retries (the OpenAI SDK retries 429 and 5xx); a retry here would hold
      // the team's reservation through AWS's back-off.
      maxAttempts: 1,
      // HTTP/1.1 with keep-alive: Converse and ConverseStream need no HTTP/2 (only bidirectional streams do).
      // Metered: the SDK reads answers whole and allocates each event as its prefix declares.
      requestHandler: metered.handler,
    });
    return { client, runtime, watch: metered.watch };
  };
  const ready = () => {
    sdk ??= loadSdk();
    return sdk;
  };
  const meta = (call: ChatCall): CompletionMeta => ({
    id: `chatcmpl-${call.requestId}`,
    created: Math.floor(deps.now() / 1000),
    model: call.request.model,
    targetId: config.id,
  });

  return {
    id: config.id,
    provider: config.provider,
    async warm() {
      await ready();
    },
    models: config.models ? compileModels(config.models) : null,
    // The key id too: not secret to AWS, but it names the gateway's identity.
    secrets: [config.access_key_id, config.secret_access_key, config.session_token].flatMap((ref) => {
      const value = ref ? deps.env[ref.env] : undefined;
      return value ? [value] : [];
    }),
    async complete(call) {
      const input = toConverseInput(call.request);
      const g = guard(call, config);
      try {
        const { client, runtime } = await ready();
        const output = await client.send(new runtime.ConverseCommand(input), { abortSignal: g.signal });
        return { status: 200, ...toCompletion(output, meta(call)) };
      } catch (err) {
        throw g.failure(err, false);
      } finally {
        g.end();
      }
    },
    async stream(call) {
      const input = toConverseInput(call.request);
      const g = guard(call, config);
      try {
        const { client, runtime, watch } = await ready();
        watch(g.signal, g.bytes);
        const output = await client.send(new runtime.ConverseStreamCommand(input), { abortSignal: g.signal });
        if (!output.stream) throw unusable(config.id, 'no event stream in the answer');
        return chunkStream(output.stream, streamTranslator(meta(call)), g);
      } catch (err) {
        g.end();
        throw g.failure(err, false);
      }
    },
  };
}
