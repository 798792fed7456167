// `tollgate run`: load and check the config, refuse to start on any error, serve until a signal.
import { pino } from 'pino';
import { formatIssue, hasErrors } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { type ObservabilitySetup, ObservabilitySetupError, setUpObservability } from '../events/setup.js';
import { createApp } from '../server/app.js';
import { responseHeaderNames } from '../server/header-case.js';
import { listen } from '../server/listen.js';
import { type BudgetStore, createStore, StoreSetupError } from '../stores/index.js';
import { processDeps } from './deps.js';
import { summaryLines } from './summary.js';

export interface RunOptions {
  readonly config: string;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
}

/** How long in-flight requests may run on after a stop signal before their connections are cut. */
const SHUTDOWN_GRACE_MS = 10_000;

export async function run(options: RunOptions): Promise<number> {
  const deps = processDeps();
  const loaded = await loadConfigFile(options.config, deps);
  for (const issue of loaded.issues) console.error(formatIssue(issue));
  if (!loaded.runtime || hasErrors(loaded.issues)) {
    console.error(`tollgate: not starting: ${options.config} has errors`);
    return 1;
  }
  const config = loaded.runtime;
  const logger = pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
  let store: BudgetStore;
  let observed: ObservabilitySetup;
  try {
    const input = { events: loaded.config?.events, config, configFile: options.config, env: deps.env, logger };
    observed = setUpObservability(input);
    const instances = loaded.config?.deployment?.instances;
    const onError = (operation: string) => observed.metrics.storeError(operation);
    const context = { configFile: options.config, env: deps.env, now: deps.now, logger, instances, onError };
    store = await createStore(loaded.config?.store, context);
  } catch (err) {
    if (!(err instanceof StoreSetupError || err instanceof ObservabilitySetupError)) throw err;
    console.error(`tollgate: not starting: ${err.message}`);
    return 1;
  }
  const app = createApp({
    config,
    store,
    tokenizer: deps.tokenizer,
    now: deps.now,
    logger,
    observability: observed.observability,
  });
  const host = options.host ?? config.server.host;
  const port = options.port ?? config.server.port;
  try {
    // tiktoken loads on the counting thread now, never on the event loop inside a request.
    await deps.tokenizer.warm();
  } catch (err) {
    await store.close();
    console.error(`tollgate: not starting: the token counting thread did not start: ${(err as Error).message}`);
    return 1;
  }
  let server: Awaited<ReturnType<typeof listen>>;
  try {
    server = await listen(app, host, port, responseHeaderNames(config));
  } catch (err) {
    await store.close();
    await deps.tokenizer.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw err;
    const why: Record<string, string> = {
      EADDRINUSE: 'the address is already in use',
      EACCES: 'permission denied',
      EADDRNOTAVAIL: 'no such address on this machine',
    };
    console.error(
      `tollgate: not starting: cannot listen on ${host}:${port}: ${why[code]} (choose another with --port/--host)`,
    );
    return 1;
  }
  await observed.listenAdmin({ config, store, now: deps.now, logger }, host);
  for (const line of [...summaryLines(config), ...observed.summary()]) console.log(`INFO tollgate ${line}`);
  console.log(`INFO tollgate ${describeStore(store)}`);
  console.log(`INFO tollgate Gateway ready on ${server.url}`);

  const signal = await nextSignal();
  // A second signal while shutting down means "now": in-flight requests are abandoned.
  const force = (again: NodeJS.Signals) => {
    logger.warn({ signal: again }, 'second signal: exiting without finishing in-flight requests');
    process.exit(130);
  };
  process.once('SIGTERM', force).once('SIGINT', force);
  try {
    logger.info({ signal, grace_ms: SHUTDOWN_GRACE_MS }, 'shutting down: finishing in-flight requests');
    await server.close(SHUTDOWN_GRACE_MS);
    // Waits for the last reservations to be settled, then writes the counters out.
    await store.close();
    await observed.close();
    await deps.tokenizer.close();
    logger.info({}, 'stopped');
  } finally {
    process.off('SIGTERM', force).off('SIGINT', force);
  }
  return 0;
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', on).off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on).on('SIGINT', on);
  });
}

function describeStore(store: BudgetStore): string {
  const health = store.health?.();
  if (!health) return 'Budget store: in memory';
  if (health.store === 'memory') {
    const file = health.state_file;
    return `Budget store: memory, ${typeof file === 'string' ? `state kept in ${file}` : 'not kept across restarts'}`;
  }
  const instances = `enforcing for ${health.instances} instance(s) if Redis fails (${health.on_store_error})`;
  return `Budget store: redis (${health.status}), ${instances}`;
}
