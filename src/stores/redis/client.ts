// Builds the ioredis client for the store: no offline queue, bounded waits, reconnects by itself.
import { Cluster, Redis, type RedisOptions, type Result } from 'ioredis';
import { afterFreeTime } from './deadline.js';
import { HEARTBEAT, RELEASE, RESERVE, SETTLE, SNAPSHOT, WRITE_BACK } from './lua.js';

type Arg = string | number;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    tollgateReserve(numKeys: number, ...args: Arg[]): Result<unknown, Context>;
    tollgateSettle(numKeys: number, ...args: Arg[]): Result<unknown, Context>;
    tollgateRelease(numKeys: number, ...args: Arg[]): Result<unknown, Context>;
    tollgateSnapshot(numKeys: number, ...args: Arg[]): Result<unknown, Context>;
    tollgateHeartbeat(numKeys: number, ...args: Arg[]): Result<unknown, Context>;
    tollgateWriteBack(numKeys: number, ...args: Arg[]): Result<unknown, Context>;
  }
}

export type RedisClient = Redis | Cluster;

export interface ClientOptions {
  readonly url: string;
  readonly clusterNodes?: readonly string[] | undefined;
  readonly password?: string | undefined;
  /** Passed to ioredis as is (Sentinel, TLS, …): see the README. */
  readonly redisOptions?: Record<string, unknown> | undefined;
  /** Longest pause between reconnection attempts. */
  readonly reconnectMaxMs?: number | undefined;
}

/**
 * Commands fail at once while disconnected (no offline queue). The store bounds every wait itself
 * (deadline.ts): ioredis's own timers fire before a reply that arrived during a stall of this process
 * is read, so they would take a blocked event loop for a slow Redis.
 */
export function createRedisClient(options: ClientOptions): RedisClient {
  const retry = (times: number) => Math.min(50 * 2 ** Math.min(times, 10), options.reconnectMaxMs ?? 2_000);
  const given = (options.redisOptions ?? {}) as RedisOptions;
  const bounded = {
    commandTimeout: undefined,
    socketTimeout: undefined,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    ...(options.password === undefined ? {} : { password: options.password }),
  } satisfies RedisOptions;
  let client: RedisClient;
  if (options.clusterNodes) {
    client = new Cluster([...options.clusterNodes], {
      redisOptions: { ...given, ...bounded },
      enableOfflineQueue: false,
      clusterRetryStrategy: retry,
    });
  } else {
    const redisOptions = { ...given, ...bounded, enableOfflineQueue: false, retryStrategy: retry };
    client = given.sentinels ? new Redis(redisOptions) : new Redis(options.url, redisOptions);
  }
  const scripts = {
    tollgateReserve: RESERVE,
    tollgateSettle: SETTLE,
    tollgateRelease: RELEASE,
    tollgateSnapshot: SNAPSHOT,
    tollgateHeartbeat: HEARTBEAT,
    tollgateWriteBack: WRITE_BACK,
  };
  // Loaded once, then run by EVALSHA; ioredis sends the source again after a NOSCRIPT.
  for (const [name, lua] of Object.entries(scripts)) client.defineCommand(name, { lua });
  return client;
}

/** Resolves true once the client is ready; false at its first error or after waitMs of free loop time. */
export function whenReady(client: RedisClient, waitMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      cancel();
      client.off('ready', onReady);
      client.off('error', onError);
      resolve(ok);
    };
    const onReady = () => done(true);
    const onError = () => done(false);
    const cancel = afterFreeTime(waitMs, () => done(false));
    client.on('ready', onReady);
    client.on('error', onError);
  });
}
