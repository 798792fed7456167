// Starts a real gateway on an ephemeral port from YAML text, with a test clock and captured logs.
import { Writable } from 'node:stream';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Tokenizer } from '../../providers/index.js';
import { formatIssue, hasErrors } from '../../src/config/issues.js';
import { loadConfigText } from '../../src/config/load.js';
import type { Observability } from '../../src/events/deps.js';
import { createLogger } from '../../src/events/logger.js';
import { createApp } from '../../src/server/app.js';
import { responseHeaderNames } from '../../src/server/header-case.js';
import { listen } from '../../src/server/listen.js';
import { gatewayRedactor } from '../../src/server/secrets.js';
import { MemoryStore } from '../../src/stores/memory.js';
import type { BudgetStore } from '../../src/stores/types.js';
import { createTokenizer } from '../../src/tokens/index.js';
import { type TestClock, testClock } from './clock.js';

export const tokenizer = createTokenizer();
// As at `tollgate run`'s start: tiktoken loads on the counting thread before the first request.
const counting = tokenizer.warm();

export interface TestGateway {
  readonly url: string;
  readonly clock: TestClock;
  readonly store: BudgetStore;
  /** Every log line the gateway wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** Raw log text, to check that nothing secret is ever written. */
  logText(): string;
  client(apiKey: string, options?: Partial<ConstructorParameters<typeof OpenAI>[0]>): OpenAI;
  post(body: unknown, headers?: Record<string, string>, path?: string): Promise<Response>;
  close(): Promise<void>;
}

export async function startGateway(
  yaml: string,
  options: {
    env?: Record<string, string>;
    clock?: TestClock;
    store?: BudgetStore;
    tokenizer?: Tokenizer;
    observability?: Observability;
    /** Secrets beyond the targets' (what `tollgate run` passes: the admin token, the Redis password). */
    secrets?: string[];
  } = {},
): Promise<TestGateway> {
  const clock = options.clock ?? testClock();
  await counting;
  const tokens = options.tokenizer ?? tokenizer;
  const loaded = loadConfigText('test.yaml', yaml, { env: options.env ?? {}, tokenizer: tokens, now: clock.now });
  if (!loaded.runtime || hasErrors(loaded.issues)) {
    throw new Error(`test config has errors:\n${loaded.issues.map(formatIssue).join('\n')}`);
  }
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  // The production logger, masking what `tollgate run`'s would.
  const logger = createLogger(gatewayRedactor(loaded.runtime), { destination: sink });
  const store = options.store ?? new MemoryStore();
  const app = createApp({
    config: loaded.runtime,
    store,
    tokenizer: tokens,
    now: clock.now,
    logger,
    ...(options.observability ? { observability: options.observability } : {}),
    ...(options.secrets ? { secrets: options.secrets } : {}),
  });
  const server = await listen(app, '127.0.0.1', 0, responseHeaderNames(loaded.runtime));
  return {
    url: server.url,
    clock,
    store,
    get logs() {
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    logText: () => lines.join('\n'),
    client: (apiKey, clientOptions = {}) =>
      new OpenAI({ apiKey, baseURL: `${server.url}/v1`, maxRetries: 0, ...clientOptions }),
    post: (body, headers = {}, path = '/v1/chat/completions') =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    close: () => server.close(100),
  };
}

export const hello = (model = 'gpt-4o-mini', content = 'Hello') => ({
  model,
  messages: [{ role: 'user' as const, content }],
});

/**
 * For a test file with one msw upstream: listens for the whole file, resets the upstream after each
 * test and closes every gateway the test started. Returns the function that starts them.
 */
export function gatewaysWith(upstream: { listen(): void; close(): void; reset(): void }) {
  const open: TestGateway[] = [];
  beforeAll(() => upstream.listen());
  afterAll(() => upstream.close());
  afterEach(async () => {
    upstream.reset();
    await Promise.all(open.splice(0).map((g) => g.close()));
  });
  return async (yaml: string, options?: Parameters<typeof startGateway>[1]): Promise<TestGateway> => {
    const g = await startGateway(yaml, options);
    open.push(g);
    return g;
  };
}
