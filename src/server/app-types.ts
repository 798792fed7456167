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
  /** Re-reads the config file (POST /admin/reload); absent when the app was not started from a file. */
  readonly reload?: (trigger: string) => Promise<ReloadReport>;
  /** Secrets beyond the targets' own (the admin token, the Redis password) that no answer may show. */
  readonly secrets?: ReadonlyArray<string | undefined>;
  /** True from the moment a stop signal starts draining: /readyz then answers 503. */
  readonly draining?: () => boolean;
}

export interface ReloadReport {
  readonly outcome: 'applied' | 'rejected';
  /** What asked for it: `SIGHUP`, `admin`. */
  readonly trigger: string;
  /** The config's findings, `file:line:col: severity: message`; a rejected reload's errors are among them. */
  readonly issues: string[];
  /** Why a reload was rejected, in one line. */
  readonly reason?: string;
  readonly groups?: number;
  readonly consumers?: number;
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
  /** The request's messages as parsed: read only with `events: {include_content: true}`. */
  prompt?: unknown;
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
