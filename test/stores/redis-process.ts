// A redis-server of a test's own on a free port, to kill, pause and restart (never the shared one).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';

export const redisServerInstalled = spawnSync('redis-server', ['--version']).status === 0;
if (!redisServerInstalled) {
  const why = 'no redis-server binary on PATH for the Redis outage tests';
  if (process.env.TOLLGATE_REQUIRE_REDIS === '1') throw new Error(`TOLLGATE_REQUIRE_REDIS=1 but ${why}`);
  console.warn(`\n${'!'.repeat(78)}\n!! SKIPPING the Redis outage tests: ${why}.\n${'!'.repeat(78)}\n`);
}

export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  /** Starts the server (again) on the same port, empty unless `args` made it persist. */
  start(): Promise<void>;
  /** SIGKILL: as abrupt as a crash. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that accepts but does not answer. */
  pause(): void;
  resume(): void;
}

function freePort(): Promise<number> {
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

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(200, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/**
 * A free port and a server on it (started unless `started: false`); call kill() when done. `args` are
 * more redis-server settings, after the default ones (no persistence); give a `--dir` of your own if they persist.
 */
export async function redisProcess(
  options: { started?: boolean; args?: readonly string[] } = {},
): Promise<RedisProcess> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const self: RedisProcess = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
      args.push(...(options.args ?? []));
      child = spawn('redis-server', args, { stdio: 'ignore' });
      for (let i = 0; i < 250; i++) {
        if (await pong(port)) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`redis-server did not start on port ${port}`);
    },
    async kill() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGCONT');
      running.kill('SIGKILL');
      await exited;
    },
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
  if (options.started !== false) await self.start();
  return self;
}

/** Polls until `check` holds: for reconnections, which take real time. */
export async function eventually(check: () => boolean, withinMs = 5_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
