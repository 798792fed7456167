// The ioredis client the store builds: Cluster and Sentinel from config, and waits always bounded.
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedisClient } from '../../src/stores/redis/client.js';
import { RedisKeys } from '../../src/stores/redis/scripts.js';

describe('the Redis client of the store', () => {
  it('builds a Cluster client from cluster_nodes, with the scripts defined', () => {
    const client = createRedisClient({
      url: 'redis://ignored:6379',
      clusterNodes: ['redis://127.0.0.1:1'],
      redisOptions: { lazyConnect: true, commandTimeout: 100 },
    });
    try {
      expect(client).toBeInstanceOf(Cluster);
      expect(typeof client.tollgateReserve).toBe('function');
      if (!(client instanceof Cluster)) return;
      expect(client.options.enableOfflineQueue).toBe(false);
      expect(client.options.redisOptions).toMatchObject({ lazyConnect: true, maxRetriesPerRequest: 0 });
      // The store bounds waits itself: ioredis's timer would take a stall of this process for a slow Redis.
      expect(client.options.redisOptions?.commandTimeout).toBeUndefined();
    } finally {
      client.disconnect();
    }
  });

  it('connects through Sentinel when redis_options name sentinels, keeping its own bounds', () => {
    const client = createRedisClient({
      url: 'redis://ignored:6379',
      redisOptions: {
        sentinels: [{ host: '127.0.0.1', port: 1 }],
        name: 'mymaster',
        lazyConnect: true,
        enableOfflineQueue: true,
        commandTimeout: 60_000,
        socketTimeout: 100,
      },
      password: 's3cret',
    });
    try {
      expect(client).toBeInstanceOf(Redis);
      if (!(client instanceof Redis)) return;
      expect(client.options).toMatchObject({
        name: 'mymaster',
        sentinels: [{ host: '127.0.0.1', port: 1 }],
        password: 's3cret',
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
      });
      expect(client.options.commandTimeout).toBeUndefined();
      expect(client.options.socketTimeout).toBeUndefined();
    } finally {
      client.disconnect();
    }
  });

  it('keeps every key of a prefix in one Cluster slot with the {prefix} hash tag', () => {
    const keys = new RedisKeys('team-a');
    const all = [keys.counter('group:x:tokens_per_day'), keys.reservations, keys.leases, keys.instances];
    for (const key of all) expect(key.startsWith('{team-a}:')).toBe(true);
  });
});
