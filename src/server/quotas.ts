// Seed 004's quotas in the request flow: a spent quota refuses the call, the upstream is told what
// remains, and what the upstream reports in its usage header is counted after the response.
import { type LimitCheck, type LimitSnapshot, parseQuotaUsage } from '../../policies/rate-limit/index.js';
import type { HeaderReader } from '../../providers/index.js';
import type { BudgetStore } from '../stores/types.js';
import { rateLimitRefusal } from './refusal.js';

export interface QuotaAdmission {
  /** `X-RateLimit-Remaining-<quota>` for the upstream: the least left over the quota's periods. */
  readonly upstreamHeaders: Record<string, string>;
  readonly snapshots: readonly LimitSnapshot[];
}

export function createQuotaSteps(store: BudgetStore, usageHeader: string, now: () => number) {
  return {
    /** Refuses (429) when any period of any quota is spent. */
    async admit(group: string, quotas: readonly LimitCheck[]): Promise<QuotaAdmission> {
      const at = now();
      const snapshots = await store.snapshot(quotas, at);
      const spent = snapshots.find((s) => s.remaining <= 0);
      if (spent) {
        throw rateLimitRefusal(group, {
          admitted: false,
          check: spent.check,
          retryAfterMs: spent.resetAt - at,
          needed: 1,
          neverFits: false,
          remaining: 0,
          outputThatFits: 0,
        });
      }
      const least = new Map<string, number>();
      for (const s of snapshots) {
        const name = s.check.spec.quota ?? '';
        least.set(name, Math.min(least.get(name) ?? Number.POSITIVE_INFINITY, s.remaining));
      }
      const upstreamHeaders: Record<string, string> = {};
      for (const [name, remaining] of least) upstreamHeaders[`X-RateLimit-Remaining-${name}`] = String(remaining);
      return { upstreamHeaders, snapshots };
    },

    /** Counts the usage the upstream reported (names match without case); returns the new state. */
    async settle(quotas: readonly LimitCheck[], upstreamHeaders: HeaderReader | undefined): Promise<LimitSnapshot[]> {
      const usage = parseQuotaUsage(upstreamHeaders?.get(usageHeader));
      const used = quotas.filter((q) => usage.has(q.spec.quota?.toLowerCase() ?? ''));
      const at = now();
      if (used.length > 0) {
        await store.record(
          used,
          used.map((q) => usage.get(q.spec.quota?.toLowerCase() ?? '') ?? 0),
          at,
        );
      }
      return store.snapshot(quotas, at);
    },
  };
}
