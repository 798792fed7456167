// Turns a finished request's event into an OpenTelemetry span with the GenAI semantic conventions' attributes.
import { type Attributes, context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { HeaderReader } from '../../providers/index.js';
import type { EventRecord } from '../server/event.js';
import type { RequestTracer } from './index.js';

const propagator = new W3CTraceContextPropagator();
const getter = {
  keys: () => ['traceparent', 'tracestate'],
  get: (headers: HeaderReader, key: string) => headers.get(key) ?? undefined,
};

function attributesOf(event: EventRecord, providers: ReadonlyMap<string, string>): Attributes {
  const a: Attributes = {
    'gen_ai.operation.name': 'chat',
    'http.request.method': 'POST',
    'http.response.status_code': event.status,
    'tollgate.request_id': event.request_id,
    'tollgate.outcome': event.outcome,
    'tollgate.stream': event.stream,
  };
  if (event.model !== null) a['gen_ai.request.model'] = event.model;
  if (event.target !== null) {
    a['tollgate.target'] = event.target;
    const provider = providers.get(event.target);
    if (provider) a['gen_ai.provider.name'] = provider;
  }
  if (event.usage) {
    a['gen_ai.usage.input_tokens'] = event.usage.prompt_tokens;
    a['gen_ai.usage.output_tokens'] = event.usage.completion_tokens;
  }
  if (event.consumer_group !== null) a['tollgate.consumer_group'] = event.consumer_group;
  if (event.consumer !== null) a['tollgate.consumer'] = event.consumer;
  if (event.limit !== null) a['tollgate.limit'] = event.limit;
  if (event.upstream_latency_ms !== null) a['tollgate.upstream_latency_ms'] = event.upstream_latency_ms;
  if (event.status >= 500 || event.outcome === 'upstream_error') a['error.type'] = event.outcome;
  return a;
}

export function createRequestTracer(
  exporter: SpanExporter,
  providers: ReadonlyMap<string, string>,
  options: { batch?: boolean; serviceName?: string | undefined } = {},
): RequestTracer {
  const processor = options.batch ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName || 'tollgate' }),
    spanProcessors: [processor],
  });
  // Not registered globally: each app has its own provider, so tests and apps in one process do not share one.
  const tracer = provider.getTracer('tollgate');
  return {
    record(event, startedAt, headers) {
      const parent = propagator.extract(context.active(), headers, getter);
      const span = tracer.startSpan(
        event.model === null ? 'chat' : `chat ${event.model}`,
        { kind: SpanKind.SERVER, startTime: startedAt, attributes: attributesOf(event, providers) },
        parent,
      );
      if (event.status >= 500 || event.outcome === 'upstream_error') span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(startedAt + event.gateway_latency_ms);
    },
    close: () => provider.shutdown(),
  };
}
