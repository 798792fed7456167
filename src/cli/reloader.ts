// The app the listeners serve, replaced atomically when the config file is reloaded (SIGHUP, `tollgate reload`, the admin API).
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { TargetDeps } from '../../providers/index.js';
import type { RuntimeConfig } from '../config/compile.js';
import { formatIssue, hasErrors } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { AppEnv, ReloadReport } from '../server/app-types.js';

/** Sections a running process cannot change: the listener, the store, the events output. */
const RESTART_ONLY = [
  ['server.host', (c: Config) => c.server.host],
  ['server.port', (c: Config) => c.server.port],
  ['store', (c: Config) => c.store],
  ['events', (c: Config) => c.events],
  ['deployment', (c: Config) => c.deployment],
] as const;

export interface ReloaderOptions {
  readonly file: string;
  readonly deps: TargetDeps & { readonly env: Readonly<Record<string, string | undefined>> };
  /** The config the process started with. */
  readonly config: Config;
  readonly runtime: RuntimeConfig;
  /** Loads what a config's targets need before it serves (SDKs), so no request pays for it. */
  readonly warm: (runtime: RuntimeConfig) => Promise<void>;
  /** Builds the gateway's app (and the admin app) for a config. */
  readonly build: (runtime: RuntimeConfig) => Apps;
  /** Told of a config that was applied, before the first request sees it (metrics, header casing). */
  readonly applied: (runtime: RuntimeConfig) => void;
  readonly logger: Logger;
  /** Where the reload's event goes: the request events' logger. */
  readonly events: Logger;
}

export interface Apps {
  readonly gateway: Hono<AppEnv>;
  readonly admin?: Hono<AppEnv> | undefined;
}

export interface Reloader {
  /** The apps to serve now; a request keeps the apps it started with. */
  current(): Apps;
  runtime(): RuntimeConfig;
  /** Re-reads and lints the file; applies it only when it has no error. One reload runs at a time. */
  reload(trigger: string): Promise<ReloadReport>;
}

export function createReloader(options: ReloaderOptions): Reloader {
  let config = options.config;
  let runtime = options.runtime;
  let apps = options.build(runtime);
  let queue: Promise<unknown> = Promise.resolve();

  async function attempt(trigger: string): Promise<ReloadReport> {
    const loaded = await loadConfigFile(options.file, options.deps).catch((err: Error) => err);
    if (loaded instanceof Error) return { outcome: 'rejected', trigger, issues: [], reason: loaded.message };
    const issues = loaded.issues.map(formatIssue);
    if (!loaded.runtime || !loaded.config || hasErrors(loaded.issues))
      return { outcome: 'rejected', trigger, issues, reason: `${options.file} has errors; the running config stays` };
    const next = loaded.config;
    const changed = RESTART_ONLY.filter(([, read]) => JSON.stringify(read(next)) !== JSON.stringify(read(config)));
    if (changed.length > 0) {
      const names = changed.map(([name]) => name).join(', ');
      return {
        outcome: 'rejected',
        trigger,
        issues,
        reason: `${names} changed: these need a restart; the running config stays`,
      };
    }
    await options.warm(loaded.runtime);
    const nextApps = options.build(loaded.runtime);
    options.applied(loaded.runtime);
    config = next;
    runtime = loaded.runtime;
    apps = nextApps;
    return {
      outcome: 'applied',
      trigger,
      issues,
      groups: runtime.groups.length,
      consumers: runtime.consumers.length,
    };
  }

  function report(r: ReloadReport): ReloadReport {
    const { logger, events } = options;
    if (r.outcome === 'applied')
      logger.info({ trigger: r.trigger, groups: r.groups, consumers: r.consumers }, 'config reloaded');
    else {
      for (const issue of r.issues) logger.error({ trigger: r.trigger }, issue);
      logger.error({ trigger: r.trigger }, `config reload rejected: ${r.reason}`);
    }
    events.info({ ...r, file: options.file }, 'reload');
    return r;
  }

  return {
    current: () => apps,
    runtime: () => runtime,
    reload(trigger) {
      const done = queue
        .then(() => attempt(trigger))
        .catch((err: unknown): ReloadReport => ({ outcome: 'rejected', trigger, issues: [], reason: String(err) }))
        .then(report);
      queue = done.catch(() => {});
      return done;
    },
  };
}
