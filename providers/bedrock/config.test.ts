// Bedrock target config: what the schema accepts, and how credentials resolve from the environment.
import { describe, expect, it } from 'vitest';
import { TargetSetupError } from '../types.js';
import { bedrockTargetSchema, clientSettings } from './config.js';

const PATH = ['providers', 'targets', 0];
const base = { id: 'bedrock', provider: 'bedrock', region: 'us-west-2' };
const keys = { access_key_id: { env: 'AWS_KEY' }, secret_access_key: { env: 'AWS_SECRET' } };

describe('bedrockTargetSchema', () => {
  it('needs only a region, with a five-minute timeout and the answer bounds by default', () => {
    expect(bedrockTargetSchema.parse(base)).toEqual({
      ...base,
      timeout_ms: 300_000,
      max_response_bytes: 32 * 1024 * 1024,
      stream_max_duration_ms: 1_800_000,
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no region', { id: 'b', provider: 'bedrock' }, 'region'],
    ['a malformed region', { ...base, region: 'oregon' }, 'region'],
    ['a secret without a key id', { ...base, secret_access_key: { env: 'S' } }, 'access_key_id'],
    ['a session token without keys', { ...base, session_token: { env: 'T' } }, 'session_token'],
    ['a profile and keys', { ...base, ...keys, profile: 'dev' }, 'profile'],
    ['a key given inline', { ...base, access_key_id: 'AKIA…', secret_access_key: { env: 'S' } }, 'access_key_id'],
    ['an unknown field', { ...base, base_url: 'https://x.test' }, ''],
  ])('refuses %s', (_name, config, path) => {
    const result = bedrockTargetSchema.safeParse(config);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join('.')).toBe(path);
  });
});

describe('clientSettings', () => {
  const parse = (extra: Record<string, unknown>) => bedrockTargetSchema.parse({ ...base, ...extra });

  it('reads static keys and a session token from the variables the config names', () => {
    const env = { AWS_KEY: 'AKIDEXAMPLE', AWS_SECRET: 'secret', AWS_TOKEN: 'token' };
    expect(clientSettings(parse({ ...keys, session_token: { env: 'AWS_TOKEN' } }), env, PATH)).toEqual({
      region: 'us-west-2',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' },
    });
  });

  it('names the unset variable, the target and the config path', () => {
    let thrown: unknown;
    try {
      clientSettings(parse(keys), { AWS_KEY: 'AKIDEXAMPLE' }, PATH);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TargetSetupError);
    expect((thrown as TargetSetupError).message).toBe(
      'environment variable AWS_SECRET is not set (needed by target "bedrock")',
    );
    expect((thrown as TargetSetupError).path).toEqual([...PATH, 'secret_access_key', 'env']);
  });

  it('passes a profile and an endpoint on, leaving credentials to the SDK', () => {
    expect(clientSettings(parse({ profile: 'dev', endpoint: 'http://127.0.0.1:9000' }), {}, PATH)).toEqual({
      region: 'us-west-2',
      endpoint: 'http://127.0.0.1:9000',
      profile: 'dev',
    });
  });

  it('leaves credentials to the default chain when none are configured', () => {
    expect(clientSettings(parse({}), {}, PATH)).toEqual({ region: 'us-west-2' });
  });
});
