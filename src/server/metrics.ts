// Prometheus metrics for one app: its own registry, bounded labels, label children cached for the hot path.
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { RuntimeConfig } from '../config/compile.js';
import { meteredStore, type StoreMeter } from '../stores/metered.js';
import type { BudgetStore } from '../stores/types.js';
import { registerBudgetGauges, type StoreView } from './budget-gauges.js';
import type { EventRecord } from './event.js';

export interface GatewayMetrics {
  readonly registry: Registry;
  /** Counts one finished request from its event. */
  observe(event: EventRecord): void;
  /** For the budget store's error path: one failed store call (`reserve`, `settle`, …). */
  storeError(operation: string): void;
  /** The store wrapped so that each call's time and each reservation's error are measured; its budgets are then read at each scrape. */
  watch(store: BudgetStore, now: () => number): BudgetStore;
  /** A reloaded config: its models become labels, its groups' budgets are shown. Counters carry on. */
  reconfigure(config: RuntimeConfig): void;
}

/** Outcomes that are the gateway refusing the caller (not serving it, not an upstream's or its own failure). */
const REFUSALS = new Set([
  'rate_limited',
  'model_not_allowed',
  'model_not_found',
  'unauthorized',
  'invalid_request',
  'store_unavailable',
]);
const RESERVATION_BUCKETS = [0, 16, 64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576];
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Model names the config spells out; any other model is counted as `other`, so labels stay bounded. */
function knownModels(config: RuntimeConfig): Set<string> {
  const names = new Set<string>();
  for (const target of config.targets) for (const n of target.models?.names ?? []) names.add(n);
  for (const policy of [...config.groups, ...config.consumers, config.defaults])
    for (const n of policy.models?.names ?? []) names.add(n);
  return names;
}

/** Label values joined into one map key: a character no label value holds. */
const keyOf = (values: readonly string[]) => values.join('\u0000');

/** `labels()` hashes its arguments on every call: children are kept by a key built once per request. */
function cached<T>(make: (...values: string[]) => T): (...values: string[]) => T {
  const children = new Map<string, T>();
  return (...values) => {
    const key = keyOf(values);
    let child = children.get(key);
    if (!child) {
      child = make(...values);
      children.set(key, child);
    }
    return child;
  };
}

/**
 * Counts kept as plain numbers on the request path and handed to the prom-client counter when it is
 * scraped (its `collect`): an increment is a map lookup and an add, not a label hash.
 */
class Tally {
  readonly #pending = new Map<string, { values: string[]; amount: number }>();
  counter: Counter<string> | undefined;

  add(amount: number, ...values: string[]): void {
    const key = keyOf(values);
    const entry = this.#pending.get(key);
    if (entry) entry.amount += amount;
    else this.#pending.set(key, { values, amount });
  }

  flush(): void {
    for (const entry of this.#pending.values()) {
      if (entry.amount === 0) continue;
      this.counter?.labels(...entry.values).inc(entry.amount);
      entry.amount = 0;
    }
  }
}

function tallied<L extends string>(
  registry: Registry,
  options: { name: string; help: string; labelNames: readonly L[] },
): Tally {
  const tally = new Tally();
  tally.counter = new Counter({ ...options, registers: [registry], collect: () => tally.flush() });
  return tally;
}

export function createMetrics(config: RuntimeConfig, options: { processMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.processMetrics) {
    collectDefaultMetrics({ register: registry });
    // Gauges named like counters fail `promtool check metrics`; each is the sum of its by-type gauge.
    for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
  }
  const requests = tallied(registry, {
    name: 'tollgate_requests_total',
    help: 'Chat completion requests, by consumer group, model, HTTP status and outcome.',
    labelNames: ['group', 'model', 'status', 'outcome'],
  });
  const tokens = tallied(registry, {
    name: 'tollgate_tokens_total',
    help: 'Tokens charged after reconciliation, by consumer group, model and kind (prompt or completion).',
    labelNames: ['group', 'model', 'kind'],
  });
  const rateLimited = tallied(registry, {
    name: 'tollgate_rate_limited_total',
    help: 'Requests refused with 429, by consumer group and the limit that refused them.',
    labelNames: ['group', 'limit'],
  });
  const refusals = tallied(registry, {
    name: 'tollgate_refusals_total',
    help: 'Requests the gateway refused, by consumer group and reason (the limit for a 429, else the outcome).',
    labelNames: ['group', 'reason'],
  });
  const upstreamLatency = new Histogram({
    name: 'tollgate_upstream_latency_seconds',
    help: "Time from sending a request upstream to the upstream's response head (first byte for streams), by target and model.",
    labelNames: ['target', 'model'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const gatewayLatency = new Histogram({
    name: 'tollgate_gateway_latency_seconds',
    help: 'Time from a request arriving to its response ending (stream end for streams), by consumer group.',
    labelNames: ['group', 'stream'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const storeErrors = tallied(registry, {
    name: 'tollgate_store_errors_total',
    help: 'Budget store calls that failed (the store unreachable or slow), by operation.',
    labelNames: ['operation'],
  });

  const storeLatency = new Histogram({
    name: 'tollgate_store_seconds',
    help: 'Budget store round trips, by operation (reserve, settle, release, snapshot, record).',
    labelNames: ['operation'] as const,
    buckets: STORE_BUCKETS,
    registers: [registry],
  });
  let view: Omit<StoreView, 'config'> | undefined;
  let current = config;
  registerBudgetGauges(registry, () => (view ? { ...view, config: current } : undefined));

  let models = knownModels(config);
  const reservationError = new Histogram({
    name: 'tollgate_reservation_error_tokens',
    help: 'Tokens reserved before a call minus the tokens it really cost, per settled reservation (the overshoot headroom).',
    buckets: RESERVATION_BUCKETS,
    registers: [registry],
  });
  const storeChild = cached((...v) => storeLatency.labels(...v));
  const meter: StoreMeter = {
    call: (operation, seconds) => storeChild(operation).observe(seconds),
    settled: (tokens) => reservationError.observe(tokens),
  };
  const upstreamChild = cached((...v) => upstreamLatency.labels(...v));
  const gatewayChild = cached((...v) => gatewayLatency.labels(...v));

  return {
    registry,
    observe(event) {
      const group = event.consumer_group ?? 'none';
      const model = event.model === null ? 'none' : models.has(event.model) ? event.model : 'other';
      requests.add(1, group, model, String(event.status), event.outcome);
      if (event.usage) {
        tokens.add(event.usage.prompt_tokens, group, model, 'prompt');
        tokens.add(event.usage.completion_tokens, group, model, 'completion');
      }
      if (event.limit !== null) rateLimited.add(1, group, event.limit);
      if (REFUSALS.has(event.outcome)) refusals.add(1, group, event.limit ?? event.outcome);
      if (event.target !== null && event.upstream_latency_ms !== null)
        upstreamChild(event.target, model).observe(event.upstream_latency_ms / 1000);
      gatewayChild(group, String(event.stream)).observe(event.gateway_latency_ms / 1000);
    },
    storeError(operation) {
      storeErrors.add(1, operation);
    },
    reconfigure(next) {
      current = next;
      models = knownModels(next);
    },
    watch(store, now) {
      view = { store, now };
      return meteredStore(store, meter);
    },
  };
}
