// Who is calling: the key from X-Consumer-Group, apikey or Authorization, mapped to a policy.
import {
  checksForTarget,
  type LimitCheck,
  resolveChecks,
  resolveQuotaChecks,
} from '../../policies/rate-limit/index.js';
import type { HeaderReader } from '../../providers/index.js';
import type { Policy, RuntimeConfig } from '../config/compile.js';
import { GatewayError } from '../server/errors.js';
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

/** The caller's key, in order of precedence: seed 003's header, Kong's, then the OpenAI SDK's. */
export function extractKey(headers: HeaderReader): string | undefined {
  const group = headers.get('x-consumer-group');
  if (group) return group.trim();
  const apikey = headers.get('apikey');
  if (apikey) return apikey.trim();
  const auth = headers.get('authorization');
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim() || undefined;
  return undefined;
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
    const key = extractKey(headers);
    const found = key === undefined ? undefined : known.get(hashKey(key));
    if (found) return found;
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
    return caller(config.defaults, bucket, false, bind(defaultChecks, bucket), bind(defaultQuotas, bucket));
  };
}
