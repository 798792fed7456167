// Who is calling: the first key a request presents that belongs to a known caller, mapped to a policy.
import {
  checksForTarget,
  type LimitCheck,
  resolveChecks,
  resolveQuotaChecks,
} from '../../policies/rate-limit/index.js';
import type { HeaderReader } from '../../providers/index.js';
import type { Policy, RuntimeConfig } from '../config/compile.js';
import { GatewayError } from '../server/errors.js';
import { addressBucket } from './client-address.js';
import { hashKey } from './key-hash.js';

export interface Caller {
  readonly policy: Policy;
  /** The counter the caller's own limits draw from: a consumer, a group, or a client address. */
  readonly bucket: string;
  /** Every limit of the caller, bound to its counters. */
  readonly checks: readonly LimitCheck[];
  /** The caller's quotas: checked before a call, incremented by what the upstream reports after it. */
  readonly quotas: readonly LimitCheck[];
  /** The limits that apply to a call to one target (provider windows only for their target). */
  checksFor(targetId: string): readonly LimitCheck[];
  readonly authenticated: boolean;
}

/** Where a key may come, in order of precedence: seed 003's header, Kong's, Anthropic's, the OpenAI SDK's. */
const KEY_HEADERS = ['x-consumer-group', 'apikey', 'x-api-key', 'authorization'] as const;

/** Every key the request presents, in order of precedence; each is looked up until one is known. */
export function presentedKeys(headers: HeaderReader): string[] {
  const keys: string[] = [];
  for (const name of KEY_HEADERS) {
    const value = headers.get(name);
    if (!value) continue;
    const key = name === 'authorization' ? bearerToken(value) : value.trim();
    if (key) keys.push(key);
  }
  return keys;
}

function bearerToken(authorization: string): string | undefined {
  return /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : undefined;
}

function caller(
  policy: Policy,
  bucket: string,
  authenticated: boolean,
  checks = resolveChecks(policy.sources, bucket),
  quotas = resolveQuotaChecks(policy.sources, bucket),
): Caller {
  const hasProviderWindows = checks.some((c) => c.spec.provider !== undefined);
  let perTarget: Map<string, readonly LimitCheck[]> | undefined;
  return {
    policy,
    bucket,
    checks,
    quotas,
    authenticated,
    checksFor(targetId) {
      if (!hasProviderWindows) return checks;
      perTarget ??= new Map();
      let found = perTarget.get(targetId);
      if (!found) {
        found = checksForTarget(checks, targetId);
        perTarget.set(targetId, found);
      }
      return found;
    },
  };
}

/** Checks resolved once with an empty bucket (keys `:<name>`), bound per caller by prefixing. */
function bind(template: readonly LimitCheck[], bucket: string): LimitCheck[] {
  return template.map((c) => ({ key: `${bucket}${c.key}`, spec: c.spec }));
}

export function createIdentifier(config: RuntimeConfig): (headers: HeaderReader, clientAddress: string) => Caller {
  const known = new Map<string, Caller>();
  // Callers without a known key share one policy and differ only in their address's bucket.
  const defaultChecks = resolveChecks(config.defaults.sources, '');
  const defaultQuotas = resolveQuotaChecks(config.defaults.sources, '');
  for (const [hash, principal] of config.keys) known.set(hash, caller(principal.policy, principal.bucket, true));
  return (headers, clientAddress) => {
    // An unknown value in one header (a stale X-Consumer-Group, say) must not shadow a valid key in another.
    const keys = presentedKeys(headers);
    for (const key of keys) {
      const found = known.get(hashKey(key));
      if (found) return found;
    }
    if (config.anonymous === 'deny') {
      throw new GatewayError(
        401,
        'invalid_request_error',
        'invalid_api_key',
        keys.length === 0
          ? 'No API key provided. Send it as "Authorization: Bearer <key>", "apikey", "x-api-key" or "X-Consumer-Group".'
          : 'Incorrect API key provided.',
      );
    }
    const bucket = `ip:${addressBucket(clientAddress, config.ipv6Prefix)}`;
    return caller(config.defaults, bucket, false, bind(defaultChecks, bucket), bind(defaultQuotas, bucket));
  };
}
