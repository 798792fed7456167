// What the HTTP layer is given (createApp's deps) and what it keeps per request.
import type { Logger } from 'pino';
import type { Tokenizer, Usage } from '../../providers/index.js';
import type { Redactor } from '../../providers/redact.js';
import type { RuntimeConfig } from '../config/compile.js';
import type { Observability } from '../events/deps.js';
import type { BudgetStore } from '../stores/types.js';

export interface GatewayDeps {
  readonly config: RuntimeConfig;
  readonly store: BudgetStore;
  readonly tokenizer: Tokenizer;
  /** The clock, in epoch ms: tests pass a controllable one. */
  readonly now: () => number;
  readonly logger: Logger;
  /** Events output, metrics and the admin token; all optional. */
  readonly observability?: Observability;
}

/** The per-request event, filled in as the request moves through the steps. */
export interface RequestEvent {
  consumer_group?: string;
  consumer?: string | null;
  model?: string;
  target?: string;
  usage?: Usage;
  upstream_latency_ms?: number;
  rate_limit?: { remaining_requests: number | null; remaining_tokens: number | null };
  /** For streams: settles when the stream has ended and its usage is reconciled. */
  finished?: Promise<void>;
  stream_end?: 'ok' | 'client_aborted' | 'upstream_error';
  stream_error?: unknown;
  /** A stream's generated text: read only with `events: {include_content: true}`. */
  completion_text?: string;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    clientAddress: string;
    event: RequestEvent;
    /** Masks the gateway's secrets and this request's own credentials in what the request sends or logs. */
    redactor: Redactor;
  };
}
