// Who is calling: the key from X-Consumer-Group, apikey or Authorization, mapped to a policy.
import { checksFor, type LimitCheck } from '../../policies/rate-limit/index.js';
import type { Policy, RuntimeConfig } from '../config/compile.js';
import { GatewayError } from '../server/errors.js';
import { hashKey } from './key-hash.js';

export interface Caller {
  readonly policy: Policy;
  /** Whose counters this request draws from: the group's shared bucket, or the client address. */
  readonly bucket: string;
  readonly checks: readonly LimitCheck[];
  readonly authenticated: boolean;
}

/** The caller's key, in order of precedence: seed 003's header, Kong's, then the OpenAI SDK's. */
export function extractKey(headers: Headers): string | undefined {
  const group = headers.get('x-consumer-group');
  if (group) return group.trim();
  const apikey = headers.get('apikey');
  if (apikey) return apikey.trim();
  const auth = headers.get('authorization');
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim() || undefined;
  return undefined;
}

export function createIdentifier(config: RuntimeConfig): (headers: Headers, clientAddress: string) => Caller {
  const groupCallers = new Map<Policy, Caller>();
  for (const policy of config.keys.values()) {
    const bucket = `group:${policy.group}`;
    groupCallers.set(policy, { policy, bucket, checks: checksFor(bucket, policy.specs), authenticated: true });
  }
  return (headers, clientAddress) => {
    const key = extractKey(headers);
    const policy = key === undefined ? undefined : config.keys.get(hashKey(key));
    if (policy) return groupCallers.get(policy)!;
    if (config.anonymous === 'deny') {
      throw new GatewayError(
        401,
        'invalid_request_error',
        'invalid_api_key',
        key === undefined
          ? 'No API key provided. Send it as "Authorization: Bearer <key>", "apikey" or "X-Consumer-Group".'
          : 'Incorrect API key provided.',
      );
    }
    const bucket = `ip:${clientAddress}`;
    return { policy: config.defaults, bucket, checks: checksFor(bucket, config.defaults.specs), authenticated: false };
  };
}
