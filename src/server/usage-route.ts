// GET /v1/usage: the calling key's own budget, per limit, so teams can check it without asking.
import type { Context } from 'hono';
import type { LimitSnapshot, Unit } from '../../policies/rate-limit/index.js';
import type { HeaderReader } from '../../providers/index.js';
import type { Caller } from '../identify/index.js';
import type { AppEnv, GatewayDeps } from './app-types.js';
import { headersOf } from './client-side.js';

/** Whose counter a limit draws from, from its counter key (`group:…`, `consumer:…`, `ip:…`). */
export function scopeOf(counterKey: string): 'consumer_group' | 'consumer' | 'client_address' {
  if (counterKey.startsWith('consumer:')) return 'consumer';
  return counterKey.startsWith('ip:') ? 'client_address' : 'consumer_group';
}

export interface LimitReport {
  readonly name: string;
  readonly unit: Unit;
  readonly limit: number;
  /** Set when the limit counts only calls to one provider target. */
  readonly provider?: string;
  /** Whose usage the limit counts: a consumer of a shared group also draws on the group's. */
  readonly counted_per: ReturnType<typeof scopeOf>;
  readonly used: number;
  readonly remaining: number;
  /** When everything counted now has left the window. */
  readonly reset_at: string;
  readonly reset_seconds: number;
}

export function limitReports(snapshots: readonly LimitSnapshot[], now: number): LimitReport[] {
  return snapshots.map((s) => ({
    name: s.check.spec.name,
    unit: s.check.spec.unit,
    limit: s.check.spec.limit,
    ...(s.check.spec.provider === undefined ? {} : { provider: s.check.spec.provider }),
    counted_per: scopeOf(s.check.key),
    used: s.used,
    remaining: s.remaining,
    reset_at: new Date(Math.max(s.resetAt, now)).toISOString(),
    reset_seconds: Math.max(0, Math.ceil((s.resetAt - now) / 1000)),
  }));
}

export function createUsageHandler(
  deps: Pick<GatewayDeps, 'store' | 'now'>,
  identify: (headers: HeaderReader, clientAddress: string) => Caller,
) {
  return async function usage(c: Context<AppEnv>): Promise<Response> {
    const caller = identify(headersOf(c), c.get('clientAddress'));
    const now = deps.now();
    const snapshots = await deps.store.snapshot(caller.checks, now);
    return c.json({
      object: 'usage',
      consumer_group: caller.policy.group,
      consumer: caller.policy.consumer,
      /** Callers without a recognised key share the defaults per client address, not per group. */
      counted_per: scopeOf(caller.bucket),
      allowed_models: caller.policy.models?.patterns ?? null,
      limits: limitReports(snapshots, now),
    });
  };
}
