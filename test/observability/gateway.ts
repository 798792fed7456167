// An in-process gateway for observability tests: app.request(), captured log lines, a mock and a failing target.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { RuntimeConfig } from '../../src/config/compile.js';
import { formatIssue, hasErrors } from '../../src/config/issues.js';
import { loadConfigText } from '../../src/config/load.js';
import type { Observability } from '../../src/events/deps.js';
import { createApp } from '../../src/server/app.js';
import { MemoryStore } from '../../src/stores/memory.js';
import { type TestClock, testClock } from '../helpers/clock.js';
import { tokenizer } from '../helpers/gateway.js';

export const ENG_KEY = 'kt_cg_engineering_secret_5d1e';
export const MKT_KEY = 'kt_cg_marketing_secret_93ab';
export const UPSTREAM_SECRET = 'sk-upstream-never-logged-4411';
export const ALICE_KEY = 'kt_consumer_alice_secret_77ab';
export const ENG = { authorization: `Bearer ${ENG_KEY}` };
export const ALICE = { authorization: `Bearer ${ALICE_KEY}` };
export const MKT = { 'x-consumer-group': MKT_KEY };

/** Three groups (one shared by consumer alice) on a mock target; `broken-model` goes to an OpenAI target at `upstreamUrl`. */
export function observabilityConfig(upstreamUrl = 'http://127.0.0.1:9/v1', anonymous = 'allow'): string {
  return `
providers:
  targets:
    - { id: local, provider: mock, models: [gpt-4o-mini, gpt-4o] }
    - id: flaky
      provider: openai
      base_url: ${upstreamUrl}
      secret_key_ref: { env: UPSTREAM_KEY }
      models: [broken-model]
consumer_groups:
  - name: engineering
    api_key: ${ENG_KEY}
    rate_limits: { requests_per_minute: 5, tokens_per_minute: 100000, tokens_per_day: 1000000 }
    allowed_models: [gpt-4o-mini, gpt-4o, broken-model]
  - name: marketing
    api_key: ${MKT_KEY}
    rate_limits: { requests_per_minute: 2, tokens_per_minute: 50000 }
    allowed_models: [gpt-4o-mini]
  - name: research
    shared: true
    rate_limits: { requests_per_minute: 4 }
consumers:
  - username: alice
    api_key: ${ALICE_KEY}
    groups: [research]
    rate_limits: { tokens_per_minute: 30000 }
rate_limit_defaults:
  requests_per_minute: 10
  tokens_per_minute: 20000
  anonymous: ${anonymous}
`;
}

const ENV = { UPSTREAM_KEY: UPSTREAM_SECRET };

export function runtimeConfig(yaml = observabilityConfig(), clock = testClock()): RuntimeConfig {
  const loaded = loadConfigText('test.yaml', yaml, { env: ENV, tokenizer, now: clock.now });
  if (!loaded.runtime || hasErrors(loaded.issues))
    throw new Error(`test config has errors:\n${loaded.issues.map(formatIssue).join('\n')}`);
  return loaded.runtime;
}

export interface InProcessGateway {
  request(path: string, init?: RequestInit): Promise<Response>;
  chat(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Every line the gateway logged, raw. */
  readonly lines: string[];
  /** The request events logged so far, parsed. */
  events(): Array<Record<string, unknown>>;
  readonly clock: TestClock;
  readonly store: MemoryStore;
}

export function inProcessGateway(
  yaml = observabilityConfig(),
  observability: Observability = {},
  clock = testClock(),
): InProcessGateway {
  const config = runtimeConfig(yaml, clock);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ base: undefined }, sink);
  const store = new MemoryStore();
  const app = createApp({ config, store, tokenizer, now: clock.now, logger, observability });
  const request = async (path: string, init?: RequestInit) => app.request(`http://gateway.test${path}`, init);
  return {
    request,
    chat: (body, headers = {}) =>
      request('/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    lines,
    events: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request'),
    clock,
    store,
  };
}

export const ask = (content: string, model = 'gpt-4o-mini', extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content }],
  ...extra,
});

/** An event's reconciled total tokens (0 when it has no usage). */
export const totalTokens = (event: Record<string, unknown> | undefined): number =>
  (event?.usage as { total_tokens?: number } | null | undefined)?.total_tokens ?? 0;
