// Request tracing: off (nothing loaded, nothing done) unless an OTLP endpoint is configured in the environment.
import type { HeaderReader } from '../../providers/index.js';
import type { EventRecord } from '../server/event.js';

export interface RequestTracer {
  /** One span for a finished request, from its event; `startedAt` in epoch ms; `headers` carry a parent's traceparent. */
  record(event: EventRecord, startedAt: number, headers: HeaderReader): void;
  /** Exports what is still queued. */
  close(): Promise<void>;
}

/**
 * The tracer `tollgate run` uses: null when no endpoint is set or `OTEL_SDK_DISABLED=true`, so the request path
 * pays nothing; else an OTLP/HTTP exporter configured by the usual OTEL_* variables (headers, timeout, service name).
 */
export async function tracerFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  /** The provider (wire schema) of each target id, for `gen_ai.provider.name`. */
  providers: ReadonlyMap<string, string>,
): Promise<RequestTracer | null> {
  const url = tracesUrl(env);
  if (env.OTEL_SDK_DISABLED === 'true' || url === null) return null;
  const [{ createRequestTracer }, { OTLPTraceExporter }] = await Promise.all([
    import('./sdk.js'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  return createRequestTracer(new OTLPTraceExporter({ url }), providers, {
    batch: true,
    serviceName: env.OTEL_SERVICE_NAME,
  });
}

/** The traces endpoint: the signal's own variable as is, else the base endpoint with `/v1/traces` (the spec's rule). */
function tracesUrl(env: Readonly<Record<string, string | undefined>>): string | null {
  const own = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (own) return own;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : null;
}
