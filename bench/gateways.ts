// Starts the processes under test: the mock upstream, the baseline proxy and tollgate on a generated config.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configSchema } from '../src/config/schema.js';
import { UPSTREAM_KEY_ENV, type WrittenConfig, writeConfig } from './gateway-config.js';
import { rssMiB } from './proc-stats.js';
import { freePort, type Service, startService } from './processes.js';

const DIST = resolve(import.meta.dirname, '..');
export const CLI = join(DIST, 'src/cli/main.js');
/** The size of the large config (consumer groups beyond the 6 named teams). */
export const CONSUMER_GROUPS = 10_000;
const UPSTREAM_KEY = 'sk-bench-upstream-0123456789abcdef';

export interface Pinning {
  readonly gatewayCpu: number | null;
  readonly loadCpu: number | null;
}

export interface RunningGateway extends Service {
  /** RSS once started and settled, before any load. */
  readonly idleRssMiB: number;
  /** The key the load identifies with (tollgate); the baseline ignores it. */
  readonly apiKey: string;
}

const env = { ...process.env, [UPSTREAM_KEY_ENV]: UPSTREAM_KEY, NODE_ENV: 'production' };

async function settledRss(pid: number, settleMs: number): Promise<number> {
  await new Promise((r) => setTimeout(r, settleMs));
  return rssMiB(pid);
}

export async function startMock(dir: string, pinning: Pinning): Promise<Service> {
  const port = await freePort();
  return startService({
    name: 'mock upstream',
    args: [join(DIST, 'bench/mock-upstream.js'), String(port)],
    port,
    cpu: pinning.loadCpu,
    logFile: join(dir, 'mock.log'),
  });
}

export async function startBaseline(
  dir: string,
  pinning: Pinning,
  upstream: string,
  settleMs: number,
): Promise<RunningGateway> {
  const port = await freePort();
  const service = await startService({
    name: 'baseline proxy',
    args: [join(DIST, 'bench/baseline.js'), String(port), upstream],
    port,
    cpu: pinning.gatewayCpu,
    logFile: join(dir, 'baseline.log'),
    env,
  });
  return { ...service, idleRssMiB: await settledRss(service.pid, settleMs), apiKey: 'unused' };
}

/** The events section, when this build's config has one (it arrived after the bench): events to a rotating file. */
export function eventsSection(): Record<string, unknown> | null {
  return 'events' in configSchema.shape ? { file: 'events.jsonl' } : null;
}

export interface TollgateOptions {
  readonly name: string;
  readonly dir: string;
  readonly pinning: Pinning;
  readonly upstream: string;
  readonly events: Record<string, unknown> | null;
  readonly extraGroups?: number;
  readonly redis?: { readonly url: string; readonly keyPrefix: string };
  readonly settleMs: number;
  /** Extra node flags, e.g. --cpu-prof. */
  readonly nodeFlags?: readonly string[];
}

export async function startTollgate(options: TollgateOptions): Promise<RunningGateway & { config: WrittenConfig }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const configDir = join(options.dir, options.name);
  mkdirSync(configDir, { recursive: true });
  const config = writeConfig(join(configDir, 'policy-config.yaml'), {
    upstreamUrl: options.upstream,
    port,
    events: options.events,
    ...(options.extraGroups ? { extraGroups: options.extraGroups } : {}),
    ...(options.redis ? { redis: options.redis } : {}),
  });
  const service = await startService({
    name: options.name,
    args: [...(options.nodeFlags ?? []), CLI, 'run', '--config', config.file, '--port', String(port)],
    port,
    cpu: options.pinning.gatewayCpu,
    logFile: join(configDir, 'gateway.log'),
    env,
  });
  return { ...service, idleRssMiB: await settledRss(service.pid, options.settleMs), apiKey: config.apiKey, config };
}
