// `tollgate key hash|new` and api_key_sha256: teams keep only a key's hash in git, and the key still works.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { keyWeakness } from '../../src/config/key-strength.js';
import { hello, startGateway, type TestGateway } from '../helpers/gateway.js';
import { tempConfig, tollgate } from './cli.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('tollgate key hash', () => {
  it.each([
    ['a trailing newline', 'kt_cg_engineering_abc123\n'],
    ['a trailing CRLF', 'kt_cg_engineering_abc123\r\n'],
    ['no newline', 'kt_cg_engineering_abc123'],
  ])('prints the SHA-256 of the key on stdin, with %s stripped', async (_, input) => {
    const { code, stdout } = await tollgate(['key', 'hash'], { input });
    expect(code).toBe(0);
    expect(stdout).toBe(`${sha256('kt_cg_engineering_abc123')}\n`);
  });

  it('strips only one newline: other whitespace is part of the key', async () => {
    const { stdout } = await tollgate(['key', 'hash'], { input: ' key \n\n' });
    expect(stdout).toBe(`${sha256(' key \n')}\n`);
  });

  it('exits 2 when stdin is empty', async () => {
    const { code, stderr } = await tollgate(['key', 'hash'], { input: '\n' });
    expect(code).toBe(2);
    expect(stderr).toContain('it was empty');
  });
});

describe('tollgate key new', () => {
  it('prints a strong random key with the tg_ prefix, and the config line for its hash', async () => {
    const [a, b] = await Promise.all([tollgate(['key', 'new']), tollgate(['key', 'new'])]);
    const key = a.stdout.trim();
    expect(a.code).toBe(0);
    expect(key).toMatch(/^tg_[A-Za-z0-9]{40}$/);
    expect(b.stdout.trim()).not.toBe(key);
    expect(keyWeakness(key)).toBeUndefined();
    expect(a.stderr).toContain(`api_key_sha256: ${sha256(key)}`);
  });

  it('takes another prefix', async () => {
    const { stdout } = await tollgate(['key', 'new', '--prefix', 'kt_cg_']);
    expect(stdout).toMatch(/^kt_cg_[A-Za-z0-9]{40}\n$/);
  });
});

describe('api_key_sha256 in the running gateway', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.close();
  });

  it('authenticates the key whose hash is configured, and lint has nothing to say about it', async () => {
    const key = (await tollgate(['key', 'new'])).stdout.trim();
    const hash = (await tollgate(['key', 'hash'], { input: `${key}\n` })).stdout.trim();
    const yaml = `providers:
  targets:
    - id: mock
      provider: mock
consumer_groups:
  - name: platform
    api_key_sha256: ${hash.toUpperCase()}
    rate_limits:
      requests_per_minute: 7
      tokens_per_minute: 50000
rate_limit_defaults:
  anonymous: deny
`;
    const linted = await tollgate(['lint', tempConfig(yaml)]);
    expect(linted.code).toBe(0);
    expect(linted.stdout).not.toMatch(/: (error|warning): /);

    gw = await startGateway(yaml);
    const ok = await gw.post(hello(), { 'X-Consumer-Group': key });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('X-RateLimit-Limit-Requests')).toBe('7');
    const bearer = await gw.post(hello(), { Authorization: `Bearer ${key}` });
    expect(bearer.status).toBe(200);
    const wrong = await gw.post(hello(), { 'X-Consumer-Group': `${key}x` });
    expect(wrong.status).toBe(401);
    const byHash = await gw.post(hello(), { 'X-Consumer-Group': hash });
    expect(byHash.status).toBe(401);
  });
});
