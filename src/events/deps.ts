// What createApp is given for observability; every field is optional, so tests and embedders need none.
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../server/metrics.js';
import type { RequestTracer } from '../tracing/index.js';

export interface Observability {
  /** Where request events are written (stdout, the events file); default: the app's logger. */
  readonly eventLogger?: Logger;
  /** Put prompt messages and completion text in events (`events: {include_content: true}`). */
  readonly includeContent?: boolean;
  /** The metrics to record into; default: a fresh registry for this app. */
  readonly metrics?: GatewayMetrics;
  /** Serve the admin API under /admin, guarded by this token; absent: no admin API on this app. */
  readonly adminToken?: string;
  /** One span per request (OpenTelemetry); absent: no tracing work at all. */
  readonly tracer?: RequestTracer | null;
}
