// Starts the bench's server processes pinned to a core, waits until they answer, and always stops them.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Service {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  /** Asks the process to stop (SIGTERM, or `signal`), and kills it if it is still there after `graceMs`. */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  readonly name: string;
  /** Node's arguments: flags, then the script and its arguments. */
  readonly args: readonly string[];
  readonly port: number;
  /** The core to pin it to, or null to leave it to the scheduler. */
  readonly cpu: number | null;
  /** stdout and stderr go to this file (the gateway's request events land there, as in a log file). */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly readyTimeoutMs?: number;
}

const running = new Set<ChildProcess>();

export const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Pins this process (the load generators and the streaming client run in it). */
export function pinSelf(cpu: number): void {
  execFileSync('taskset', ['-cp', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The command line, under taskset when pinning: taskset execs node, so the pid stays node's. */
export function pinnedCommand(cpu: number | null, command: string, args: readonly string[]): [string, string[]] {
  return cpu !== null && hasTaskset ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, [...args]];
}

export async function startService(options: StartOptions): Promise<Service> {
  const log = openSync(options.logFile, 'a');
  const [command, args] = pinnedCommand(options.cpu, process.execPath, options.args);
  // stdin stays a pipe: the bench's own servers exit when it closes, even if the bench is killed.
  const child = spawn(command, args, { stdio: ['pipe', log, log], env: options.env ?? process.env });
  closeSync(log);
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  const url = `http://127.0.0.1:${options.port}`;
  const stop = async (graceMs = 5_000, signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilHealthy(url, child, options.readyTimeoutMs ?? 60_000);
  } catch (err) {
    await stop(1_000);
    const tail = readFileSync(options.logFile, 'utf8').split('\n').slice(-30).join('\n');
    throw new Error(`${options.name} did not start: ${(err as Error).message}\n--- ${options.logFile} ---\n${tail}`);
  }
  if (child.pid === undefined) throw new Error(`${options.name} has no pid`);
  return { name: options.name, pid: child.pid, url, stop };
}

async function waitUntilHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no answer on ${url}/healthz within ${timeoutMs} ms`);
}

/** Kills whatever is still running: on exit, on Ctrl-C and on a crash. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Makes sure no server outlives the bench, however it ends; `tidy` runs too when a signal stops it. */
export function installCleanup(tidy: () => void): void {
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}: stopping the servers`);
      killAll();
      tidy();
      process.exit(130);
    });
  }
}
