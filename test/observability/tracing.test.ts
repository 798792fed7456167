// One OpenTelemetry span per request with the GenAI attributes, joined to the caller's trace; nothing without an endpoint.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { tracerFromEnv } from '../../src/tracing/index.js';
import { createRequestTracer } from '../../src/tracing/sdk.js';
import { ask, ENG, inProcessGateway, MKT } from './gateway.js';

const PROVIDERS = new Map([
  ['local', 'mock'],
  ['flaky', 'openai'],
]);
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

function traced() {
  const exporter = new InMemorySpanExporter();
  const gw = inProcessGateway(undefined, { tracer: createRequestTracer(exporter, PROVIDERS) });
  return { gw, spans: () => exporter.getFinishedSpans() };
}

describe('request tracing', () => {
  it("records a span per request with GenAI attributes, as a child of the caller's traceparent", async () => {
    const { gw, spans } = traced();
    const res = await gw.chat(ask('hi'), { ...ENG, traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` });
    expect(res.status).toBe(200);
    await expect.poll(() => spans().length).toBe(1);
    const [span] = spans();
    const event = gw.events()[0]!;
    const usage = event.usage as { prompt_tokens: number; completion_tokens: number };
    expect(span!.name).toBe('chat gpt-4o-mini');
    expect(span!.spanContext().traceId).toBe(TRACE_ID);
    expect(span!.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(span!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.provider.name': 'mock',
      'gen_ai.usage.input_tokens': usage.prompt_tokens,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
      'http.response.status_code': 200,
      'tollgate.consumer_group': 'engineering',
      'tollgate.request_id': event.request_id,
      'tollgate.outcome': 'ok',
    });
    expect(span!.status.code).toBe(0);
    // Never a key or the prompt.
    expect(JSON.stringify(span!.attributes)).not.toMatch(/secret|hi"/);
  });

  it('starts a new trace without a traceparent, and marks refusals and upstream failures', async () => {
    const { gw, spans } = traced();
    for (let i = 0; i < 3; i++) await gw.chat(ask('hi'), MKT);
    await gw.chat(ask('hi', 'broken-model'), ENG);
    await expect.poll(() => spans().length).toBe(4);
    const byOutcome = new Map(spans().map((s) => [s.attributes['tollgate.outcome'], s]));
    expect(byOutcome.get('rate_limited')!.attributes['tollgate.limit']).toBe('requests_per_minute');
    expect(byOutcome.get('rate_limited')!.parentSpanContext).toBeUndefined();
    const failed = byOutcome.get('upstream_error')!;
    expect(failed.status.code).toBe(2);
    expect(failed.attributes['error.type']).toBe('upstream_error');
  });

  it('is off without an OTLP endpoint (or with OTEL_SDK_DISABLED), and exports over OTLP/HTTP with one', async () => {
    expect(await tracerFromEnv({}, PROVIDERS)).toBeNull();
    expect(
      await tracerFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_SDK_DISABLED: 'true' }, PROVIDERS),
    ).toBeNull();

    const received: Array<{ url: string | undefined; type: string | undefined; bytes: number }> = [];
    const collector = createServer((req, res) => {
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      req.on('end', () => {
        received.push({ url: req.url, type: req.headers['content-type'], bytes });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const { port } = collector.address() as AddressInfo;
    try {
      const tracer = await tracerFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` }, PROVIDERS);
      expect(tracer).not.toBeNull();
      const exporterGw = inProcessGateway(undefined, { tracer });
      await exporterGw.chat(ask('hi'), ENG);
      await expect.poll(() => exporterGw.events().length).toBe(1);
      await tracer!.close();
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ url: '/v1/traces' });
      expect(received[0]!.bytes).toBeGreaterThan(0);
    } finally {
      collector.close();
    }
  });
});
