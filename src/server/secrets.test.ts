// Which secrets a request's headers and a Redis store config bring to the redactor.
import { describe, expect, it } from 'vitest';
import { storeConfigSchema } from '../stores/index.js';
import { requestSecrets, storeSecrets } from './secrets.js';

const headers = (h: Record<string, string>) => new Headers(h);

describe('requestSecrets', () => {
  it("takes each credential header's value, and an Authorization value without its scheme", () => {
    expect(
      requestSecrets(
        headers({ authorization: 'Bearer  kt_key_1 ', apikey: 'kt_key_2', 'x-api-key': 'k3', 'x-request-id': 'r' }),
      ),
    ).toEqual(['Bearer  kt_key_1', 'kt_key_1', 'kt_key_2', 'k3']);
    expect(requestSecrets(headers({}))).toEqual([]);
  });
});

describe('storeSecrets', () => {
  const env = { REDIS_PASSWORD: 'from-the-env-0001' };
  it('takes the Redis password from its variable and from the URLs, as written and decoded', () => {
    const store = storeConfigSchema.parse({
      type: 'redis',
      url: 'redis://user:p%40ss-word-0002@redis:6379',
      cluster_nodes: ['redis://:node-pass-0003@n1:6379', 'redis://n2:6379'],
      password_ref: { env: 'REDIS_PASSWORD' },
    });
    expect(storeSecrets(store, env)).toEqual([
      'from-the-env-0001',
      'p%40ss-word-0002',
      'p@ss-word-0002',
      'node-pass-0003',
      'node-pass-0003',
    ]);
  });

  it('has none for the memory store, and survives a bad %-escape', () => {
    expect(storeSecrets(undefined, env)).toEqual([]);
    const store = storeConfigSchema.parse({ type: 'redis', url: 'redis://:bad%zzpass@redis:6379' });
    expect(storeSecrets(store, env)).toEqual(['bad%zzpass', 'bad%zzpass']);
  });
});
