// What `tollgate run` sets up for observability: the events logger (stdout, file), metrics, the admin API.
import { dirname, resolve } from 'node:path';
import type { Hono } from 'hono';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { Redactor } from '../../providers/redact.js';
import type { RuntimeConfig } from '../config/compile.js';
import type { AppEnv } from '../server/app-types.js';
import { type Listening, listen } from '../server/listen.js';
import { createMetrics, type GatewayMetrics } from '../server/metrics.js';
import {
  DEFAULT_EVENTS_FILE,
  DEFAULT_EVENTS_MAX_BYTES,
  DEFAULT_EVENTS_MAX_FILES,
  type EventsConfig,
} from './config.js';
import type { Observability } from './deps.js';
import { createLogger } from './logger.js';
import { RotatingFile } from './rotating-file.js';

export const ADMIN_TOKEN_ENV = 'TOLLGATE_ADMIN_TOKEN';
export const ADMIN_PORT_ENV = 'TOLLGATE_ADMIN_PORT';
/** 32 characters: `tollgate key new` makes 43; anything shorter is guessable or a placeholder. */
const MIN_ADMIN_TOKEN_LENGTH = 32;

/** The environment or the events file make start-up impossible: `tollgate run` refuses to start. */
export class ObservabilitySetupError extends Error {}

export interface ObservabilitySetup {
  /** For createApp. */
  readonly observability: Observability;
  /** Also for the budget store's error path (`metrics.storeError`). */
  readonly metrics: GatewayMetrics;
  readonly eventsFile: string | null;
  /** The admin API's token when it has a listener of its own (TOLLGATE_ADMIN_PORT), for `createAdminApp`. */
  readonly adminOwnListener: { readonly token: string } | null;
  /** Starts the admin API's own listener when TOLLGATE_ADMIN_PORT is set; `app` may forward to the one in force. */
  listenAdmin(app: Pick<Hono<AppEnv>, 'fetch'>, host: string): Promise<void>;
  /** For the start-up summary: where events, metrics and the admin API are. */
  summary(): string[];
  /** Stops the admin listener and writes out the events still queued. */
  close(): Promise<void>;
}

export interface SetupInput {
  readonly events: EventsConfig | undefined;
  readonly config: RuntimeConfig;
  readonly configFile: string;
  /** Where the default events file goes instead of the config's folder ($TOLLGATE_DATA_DIR). */
  readonly dataDir?: string | null | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The gateway's logger: events go through it when they go to stdout only. */
  readonly logger: Logger;
  /** Masks secrets in the events written to the file (the gateway's logger masks its own lines). */
  readonly redactor: Redactor;
}

/** Why a set admin token cannot guard the admin API, or null when it can. */
function weakAdminToken(token: string): string | null {
  const makeOne = 'make one with `tollgate key new --prefix tga_`';
  if (token.trim() === '')
    return `${ADMIN_TOKEN_ENV} is set but empty; unset it to turn the admin API off, or ${makeOne}`;
  // A Bearer token is sent without spaces; one read from a file with its newline would never match.
  if (/\s/.test(token)) return `${ADMIN_TOKEN_ENV} contains whitespace; ${makeOne}`;
  if (token.length < MIN_ADMIN_TOKEN_LENGTH)
    return `${ADMIN_TOKEN_ENV} is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters (it has ${token.length}); ${makeOne}`;
  return null;
}

function adminSettings(env: SetupInput['env']): { token: string | undefined; port: number | undefined } {
  const token = env[ADMIN_TOKEN_ENV];
  const rawPort = env[ADMIN_PORT_ENV] || undefined;
  const weak = token === undefined ? null : weakAdminToken(token);
  if (weak) throw new ObservabilitySetupError(weak);
  if (rawPort === undefined) return { token, port: undefined };
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new ObservabilitySetupError(`${ADMIN_PORT_ENV} must be a port number, got "${rawPort}"`);
  if (token === undefined) throw new ObservabilitySetupError(`${ADMIN_PORT_ENV} is set but ${ADMIN_TOKEN_ENV} is not`);
  return { token, port };
}

/**
 * Where the events file is: the config's `events.file` (relative to the config file), else the default in
 * the data folder or beside the config file; null: none.
 */
export function eventsFilePath(
  events: EventsConfig | undefined,
  configFile: string,
  dataDir?: string | null,
): string | null {
  if (events?.file === false) return null;
  if (events?.file) return resolve(dirname(configFile), events.file);
  return resolve(dataDir || dirname(configFile), DEFAULT_EVENTS_FILE);
}

function eventsOutput(input: SetupInput): { logger: Logger; file: RotatingFile | null; path: string | null } {
  const { events, logger } = input;
  const stdout = events?.stdout ?? true;
  const quiet = () => ({ logger: stdout ? logger : pino({ level: 'silent' }), file: null, path: null });
  const path = eventsFilePath(events, input.configFile, input.dataDir);
  if (path === null) return quiet();
  let file: RotatingFile;
  try {
    file = new RotatingFile({
      path,
      maxBytes: events?.max_bytes ?? DEFAULT_EVENTS_MAX_BYTES,
      maxFiles: events?.max_files ?? DEFAULT_EVENTS_MAX_FILES,
      onError: (err) =>
        logger.error({ err, file: path }, 'events file: write failed; events are dropped until it works'),
    });
  } catch (err) {
    const why = (err as Error).message;
    if (events?.file) throw new ObservabilitySetupError(`cannot open the events file ${path}: ${why}`);
    // The default file was not asked for: a read-only config folder must not stop the gateway.
    logger.warn({ file: path, err: why }, 'events file: cannot open the default events file; events go to stdout only');
    return quiet();
  }
  const out = pino.destination({ dest: 1, sync: true });
  const dest: DestinationStream = stdout
    ? {
        write(line: string) {
          out.write(line);
          file.write(line);
        },
      }
    : file;
  return { logger: createLogger(input.redactor, { destination: dest }), file, path };
}

function eventsLine(config: EventsConfig | undefined, path: string | null): string {
  const where = [config?.stdout === false ? null : 'stdout', path].filter(Boolean).join(' and ') || 'nowhere';
  const rotation = path
    ? ` (rotated at ${config?.max_bytes ?? DEFAULT_EVENTS_MAX_BYTES} bytes, ${config?.max_files ?? DEFAULT_EVENTS_MAX_FILES} files kept)`
    : '';
  return `Events: ${where}${rotation}${config?.include_content ? ', with prompts and completions' : ''}`;
}

export function setUpObservability(input: SetupInput): ObservabilitySetup {
  const admin = adminSettings(input.env);
  const events = eventsOutput(input);
  const metrics = createMetrics(input.config, { processMetrics: true });
  let adminServer: Listening | null = null;
  return {
    observability: {
      eventLogger: events.logger,
      includeContent: input.events?.include_content ?? false,
      metrics,
      ...(admin.token !== undefined && admin.port === undefined ? { adminToken: admin.token } : {}),
    },
    metrics,
    eventsFile: events.path,
    adminOwnListener: admin.token !== undefined && admin.port !== undefined ? { token: admin.token } : null,
    async listenAdmin(app, host) {
      if (admin.token === undefined || admin.port === undefined) return;
      adminServer = await listen(app, host, admin.port);
    },
    summary: () => [
      eventsLine(input.events, events.path),
      'Metrics: GET /metrics',
      admin.token === undefined
        ? `Admin API: off (set ${ADMIN_TOKEN_ENV} to serve it)`
        : `Admin API: ${adminServer ? adminServer.url : 'the gateway port'} under /admin`,
    ],
    async close() {
      await adminServer?.close(1_000);
      await events.file?.close();
    },
  };
}
