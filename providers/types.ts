// The one interface every provider adapter implements, and what adapters report back.
import type { ModelMatcher } from '../policies/model-access/index.js';
import type { ChatRequest } from './chat-schema.js';

/** Token usage as the upstream reported it. */
export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

/** The part of a Headers object the gateway reads; WHATWG Headers satisfy it. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** Whether the client is still there. */
export interface ClientConnection {
  readonly gone: boolean;
  /** Calls `listener` once when the client hangs up; returns a function that stops listening. */
  onGone(listener: () => void): () => void;
  /** The same as an AbortSignal, for SDKs that take one (made on first use: signals cost). */
  readonly signal: AbortSignal;
}

/** A client that never hangs up (direct calls, tests), or one that already has, from a signal. */
export function clientFromSignal(signal: AbortSignal): ClientConnection {
  return {
    get gone() {
      return signal.aborted;
    },
    onGone(listener) {
      signal.addEventListener('abort', listener, { once: true });
      return () => signal.removeEventListener('abort', listener);
    },
    signal,
  };
}

export interface ChatCall {
  /** The validated request, with the gateway's output cap already applied. */
  readonly request: ChatRequest;
  /** The same request as JSON text, sent as is by targets that speak OpenAI's wire format. */
  readonly body: string;
  /** The client's connection: adapters stop the upstream call when it goes; they add their own timeouts. */
  readonly client: ClientConnection;
  readonly requestId: string;
  /** Extra headers for the upstream request (quota remainders, seed 004), for HTTP targets. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called with the upstream's response headers once they arrive, for HTTP targets. */
  readonly onHeaders?: (headers: HeaderReader) => void;
}

export interface Completion {
  readonly status: number;
  /** A `chat.completion` object as JSON text, passed to the client unchanged. */
  readonly body: string;
  /** null when the upstream did not report usage (which differs from reporting 0). */
  readonly usage: Usage | null;
}

/**
 * One `chat.completion.chunk` of a stream, as OpenAI sends it when asked for usage
 * (`"usage": null` on every chunk, then a final chunk with empty choices and the usage).
 */
export interface StreamChunk {
  /** The chunk as JSON text. */
  readonly data: string;
  /** Text the model generated in this chunk (content and tool-call arguments), for counting. */
  readonly text: string;
  /** Set on the final usage chunk only. */
  readonly usage: Usage | null;
}

export interface ChatTarget {
  readonly id: string;
  /** The wire schema this target speaks (`openai`, `mock`, …): shown, never branched on. */
  readonly provider: string;
  /** Models this target serves; null serves any model. */
  readonly models: ModelMatcher | null;
  /** The credentials it holds (keys, tokens), so the gateway can mask them in every answer and log line. */
  readonly secrets: readonly string[];
  /** Loads what the first call would otherwise load (an SDK), so that call is not slow; run before serving. */
  warm?(): Promise<void>;
  complete(call: ChatCall): Promise<Completion>;
  /**
   * Starts a streamed completion. Resolves once the upstream has accepted the request; failures
   * before that reject with UpstreamError, failures mid-stream throw it from the iteration.
   * The call's body already asks for usage (`stream_options.include_usage`). Ending the
   * iteration early aborts the upstream request.
   */
  stream(call: ChatCall): Promise<AsyncIterable<StreamChunk>>;
}

/**
 * Counting and cutting text in tokens, for the gateway and the adapters that need it (the mock
 * target). Counts run off the event loop (src/tokens); every one is linear in its text.
 */
export interface Tokenizer {
  /** A bound never below the prompt's count, computed at once without the tokenizer (UTF-8 bytes). */
  promptUpperBound(request: ChatRequest): number;
  /**
   * The prompt's exact count. Past `atMost` counting stops and the result is some number above
   * `atMost` (the prompt is at least that big). Null when the tokenizer is saturated: use the bound.
   */
  promptTokensAsync(request: ChatRequest, atMost?: number): Promise<number | null>;
  /** A text's exact count, or its UTF-8 length (a bound) when the tokenizer is saturated. */
  countAsync(model: string, text: string): Promise<number>;
  /** The start of `text` holding at most `maxTokens` tokens (the whole text when it fits). */
  truncate(model: string, text: string, maxTokens: number): Promise<string>;
}

export interface TargetDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly tokenizer: Tokenizer;
  readonly now: () => number;
}

export type UpstreamFailure = 'error_response' | 'unreachable' | 'timeout' | 'aborted';

/**
 * The upstream could not give an answer. `body` is an OpenAI-shaped error object ready for the
 * client; `failure` says why, so the gateway can tell an upstream 429 from an outage.
 */
export class UpstreamError extends Error {
  constructor(
    readonly status: number,
    readonly failure: UpstreamFailure,
    readonly body: OpenAIErrorBody,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(body.error.message);
    this.name = 'UpstreamError';
  }
}

export interface OpenAIErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
    [extra: string]: unknown;
  };
}

/** A target's config is valid in shape but cannot be set up (a missing secret, say). */
export class TargetSetupError extends Error {
  constructor(
    message: string,
    readonly path: ReadonlyArray<string | number>,
  ) {
    super(message);
    this.name = 'TargetSetupError';
  }
}

/** The output cap the upstream will honour: the smaller of the two fields when both are set. */
export function requestedOutputCap(request: ChatRequest): number | undefined {
  const a = request.max_completion_tokens ?? undefined;
  const b = request.max_tokens ?? undefined;
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
