// Prometheus metrics for one app: its own registry, bounded labels, label children cached for the hot path.
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { RuntimeConfig } from '../config/compile.js';
import type { EventRecord } from './event.js';

export interface GatewayMetrics {
  readonly registry: Registry;
  /** Counts one finished request from its event. */
  observe(event: EventRecord): void;
  /** For the budget store's error path: one failed store call (`reserve`, `settle`, …). */
  storeError(operation: string): void;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Model names the config spells out; any other model is counted as `other`, so labels stay bounded. */
function knownModels(config: RuntimeConfig): Set<string> {
  const names = new Set<string>();
  for (const target of config.targets) for (const n of target.models?.names ?? []) names.add(n);
  for (const policy of [...config.groups, config.defaults]) for (const n of policy.models?.names ?? []) names.add(n);
  return names;
}

/** `labels()` hashes its arguments on every call: children are kept by a key built once per request. */
function cached<T>(make: (...values: string[]) => T): (...values: string[]) => T {
  const children = new Map<string, T>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = children.get(key);
    if (!child) {
      child = make(...values);
      children.set(key, child);
    }
    return child;
  };
}

export function createMetrics(config: RuntimeConfig, options: { processMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const requests = new Counter({
    name: 'tollgate_requests_total',
    help: 'Chat completion requests, by consumer group, model, HTTP status and outcome.',
    labelNames: ['group', 'model', 'status', 'outcome'] as const,
    registers,
  });
  const tokens = new Counter({
    name: 'tollgate_tokens_total',
    help: 'Tokens charged after reconciliation, by consumer group, model and kind (prompt or completion).',
    labelNames: ['group', 'model', 'kind'] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: 'tollgate_rate_limited_total',
    help: 'Requests refused with 429, by consumer group and the limit that refused them.',
    labelNames: ['group', 'limit'] as const,
    registers,
  });
  const upstreamLatency = new Histogram({
    name: 'tollgate_upstream_latency_seconds',
    help: "Time from sending a request upstream to the upstream's response head (first byte for streams), by target.",
    labelNames: ['target'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const gatewayLatency = new Histogram({
    name: 'tollgate_gateway_latency_seconds',
    help: 'Time from a request arriving to its response ending (stream end for streams), by consumer group.',
    labelNames: ['group', 'stream'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const storeErrors = new Counter({
    name: 'tollgate_store_errors_total',
    help: 'Budget store calls that failed (the store unreachable or slow), by operation.',
    labelNames: ['operation'] as const,
    registers,
  });

  const models = knownModels(config);
  const requestChild = cached((...v) => requests.labels(...v));
  const tokenChild = cached((...v) => tokens.labels(...v));
  const limitChild = cached((...v) => rateLimited.labels(...v));
  const upstreamChild = cached((...v) => upstreamLatency.labels(...v));
  const gatewayChild = cached((...v) => gatewayLatency.labels(...v));
  const storeChild = cached((...v) => storeErrors.labels(...v));

  return {
    registry,
    observe(event) {
      const group = event.consumer_group ?? 'none';
      const model = event.model === null ? 'none' : models.has(event.model) ? event.model : 'other';
      requestChild(group, model, String(event.status), event.outcome).inc();
      if (event.usage) {
        tokenChild(group, model, 'prompt').inc(event.usage.prompt_tokens);
        tokenChild(group, model, 'completion').inc(event.usage.completion_tokens);
      }
      if (event.limit !== null) limitChild(group, event.limit).inc();
      if (event.target !== null && event.upstream_latency_ms !== null)
        upstreamChild(event.target).observe(event.upstream_latency_ms / 1000);
      gatewayChild(group, String(event.stream)).observe(event.gateway_latency_ms / 1000);
    },
    storeError(operation) {
      storeChild(operation).inc();
    },
  };
}
