// `tollgate run`: load and check the config, refuse to start on any error, serve until a signal.

import type { Hono } from 'hono';
import type { RuntimeConfig } from '../config/compile.js';
import { formatIssue, hasErrors } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { DATA_DIR_ENV } from '../events/config.js';
import { createLogger } from '../events/logger.js';
import {
  ADMIN_TOKEN_ENV,
  type ObservabilitySetup,
  ObservabilitySetupError,
  setUpObservability,
} from '../events/setup.js';
import { createAdminApp } from '../server/admin.js';
import { createApp } from '../server/app.js';
import type { AppEnv, GatewayDeps } from '../server/app-types.js';
import { HeaderCasing, responseHeaderNames } from '../server/header-case.js';
import { listen } from '../server/listen.js';
import { gatewayRedactor, liveRedactor, storeSecrets } from '../server/secrets.js';
import { type BudgetStore, createStore, StoreSetupError } from '../stores/index.js';
import { tracerFromEnv } from '../tracing/index.js';
import { processDeps } from './deps.js';
import { createReloader, type Reloader } from './reloader.js';
import { summaryLines } from './summary.js';

export interface RunOptions {
  readonly config: string;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  /** pino's level for the JSON logs on stdout; default LOG_LEVEL, else info. */
  readonly logLevel?: string | undefined;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export async function run(options: RunOptions): Promise<number> {
  // SIGHUP ends a process that has no handler: until the gateway serves, there is nothing to reload yet.
  const early = () =>
    console.error('tollgate: SIGHUP while starting: ignored; send it again once the gateway is ready');
  process.on('SIGHUP', early);
  try {
    return await serve(options, () => process.off('SIGHUP', early));
  } finally {
    process.off('SIGHUP', early);
  }
}

async function serve(options: RunOptions, serving: () => void): Promise<number> {
  const deps = processDeps();
  const loaded = await loadConfigFile(options.config, deps);
  for (const issue of loaded.issues) console.error(formatIssue(issue));
  if (!loaded.runtime || !loaded.config || hasErrors(loaded.issues)) {
    console.error(`tollgate: not starting: ${options.config} has errors`);
    return 1;
  }
  const config = loaded.runtime;
  const level = options.logLevel ?? (deps.env.LOG_LEVEL || 'info');
  if (!LOG_LEVELS.some((l) => l === level)) {
    console.error(`tollgate: not starting: log level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
    return 1;
  }
  const secrets = [deps.env[ADMIN_TOKEN_ENV], ...storeSecrets(loaded.config.store, deps.env)];
  // The loggers keep one redactor; a reload gives it the new targets' credentials.
  const live = liveRedactor(gatewayRedactor(config, ...secrets));
  const redactor = live.redactor;
  const logger = createLogger(redactor, { level });
  let store: BudgetStore;
  let observed: ObservabilitySetup;
  try {
    const dataDir = deps.env[DATA_DIR_ENV] || null;
    const events = loaded.config.events;
    const input = { events, config, configFile: options.config, dataDir, env: deps.env, logger, redactor };
    observed = setUpObservability(input);
    const instances = loaded.config?.deployment?.instances;
    const onError = (operation: string) => observed.metrics.storeError(operation);
    const context = { configFile: options.config, dataDir, env: deps.env, now: deps.now, logger, instances, onError };
    store = await createStore(loaded.config?.store, context);
  } catch (err) {
    if (!(err instanceof StoreSetupError || err instanceof ObservabilitySetupError)) throw err;
    console.error(`tollgate: not starting: ${err.message}`);
    return 1;
  }
  // The tracer reads each target's provider from this map, which a reload refills.
  const providers = new Map(config.targets.map((t) => [t.id, t.provider]));
  const tracer = await tracerFromEnv(deps.env, providers);
  const casing = new HeaderCasing(responseHeaderNames(config));
  let draining = false;
  const adminListener = observed.adminOwnListener;
  const warm = async (runtime: RuntimeConfig) => {
    await Promise.all(runtime.targets.map((t) => t.warm?.()));
  };
  // The first request must not pay for loading an SDK: what the targets need is loaded before listening.
  await warm(config);
  const reloader: Reloader = createReloader({
    warm,
    file: options.config,
    deps,
    config: loaded.config,
    runtime: config,
    build(runtime) {
      const appDeps: GatewayDeps = {
        config: runtime,
        store,
        tokenizer: deps.tokenizer,
        now: deps.now,
        logger,
        observability: { ...observed.observability, tracer },
        reload: (trigger) => reloader.reload(trigger),
        secrets,
        draining: () => draining,
      };
      return {
        gateway: createApp(appDeps),
        admin: adminListener ? createAdminApp(appDeps, adminListener.token) : undefined,
      };
    },
    applied(runtime) {
      live.set(gatewayRedactor(runtime, ...secrets));
      providers.clear();
      for (const t of runtime.targets) providers.set(t.id, t.provider);
      observed.metrics.reconfigure(runtime);
      casing.update(responseHeaderNames(runtime));
    },
    logger,
    events: observed.observability.eventLogger ?? logger,
  });
  // The listeners forward to the apps in force: a reload swaps them, a request keeps the one it started in.
  const app = { fetch: (...args: Parameters<Hono<AppEnv>['fetch']>) => reloader.current().gateway.fetch(...args) };
  const adminApp = {
    fetch: (...args: Parameters<Hono<AppEnv>['fetch']>) => reloader.current().admin!.fetch(...args),
  };
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
    server = await listen(app, host, port, casing);
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
  await observed.listenAdmin(adminApp, host);
  const onHangUp = () => void reloader.reload('SIGHUP');
  process.on('SIGHUP', onHangUp);
  serving();
  // stdout carries only JSON log lines; the human summary (seed 003's) goes to stderr.
  for (const line of [...summaryLines(config), ...observed.summary()]) console.error(`INFO tollgate ${line}`);
  console.error(`INFO tollgate ${describeStore(store)}`);
  console.error(
    `INFO tollgate Tracing: ${tracer ? 'OpenTelemetry spans over OTLP/HTTP' : 'off (set OTEL_EXPORTER_OTLP_ENDPOINT to export spans)'}`,
  );
  console.error(`INFO tollgate Gateway ready on ${server.url}`);

  const signal = await nextSignal();
  // A second signal while shutting down means "now": in-flight requests are abandoned.
  const force = (again: NodeJS.Signals) => {
    logger.warn({ signal: again }, 'second signal: exiting without finishing in-flight requests');
    process.exit(130);
  };
  process.once('SIGTERM', force).once('SIGINT', force);
  try {
    const { shutdown_grace_ms: graceMs, drain_delay_ms: delayMs } = reloader.runtime().server;
    draining = true;
    logger.info({ signal, grace_ms: graceMs, drain_delay_ms: delayMs }, 'shutting down: /readyz says draining');
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    logger.info({ signal }, 'shutting down: no new connections; finishing in-flight requests');
    await server.close(graceMs);
    // Waits for the last reservations to be settled, then writes the counters out.
    await store.close();
    await observed.close();
    await tracer?.close();
    await deps.tokenizer.close();
    logger.info({}, 'stopped');
  } finally {
    process.off('SIGTERM', force).off('SIGINT', force).off('SIGHUP', onHangUp);
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
