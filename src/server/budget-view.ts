// What a chat response shows of the caller's budget: the rate-limit headers and the event's remainders.
import type { Context } from 'hono';
import type { LimitSnapshot } from '../../policies/rate-limit/index.js';
import type { RuntimeConfig } from '../config/compile.js';
import type { AppEnv, RequestEvent } from './app-types.js';
import { rateLimitHeaders } from './rate-limit-headers.js';

export interface BudgetView {
  /** Writes what is left into the request's event. */
  record(event: RequestEvent, snapshots: readonly LimitSnapshot[]): void;
  /** Records, and sets the rate-limit headers (unless `response_headers: false`). */
  show(c: Context<AppEnv>, snapshots: readonly LimitSnapshot[]): void;
}

export function createBudgetView(config: RuntimeConfig, now: () => number): BudgetView {
  const record = (event: RequestEvent, snapshots: readonly LimitSnapshot[]) => {
    const remaining = (name: string) => snapshots.find((s) => s.check.spec.name === name)?.remaining ?? null;
    event.rate_limit = {
      remaining_requests: remaining('requests_per_minute'),
      remaining_tokens: remaining('tokens_per_minute'),
    };
  };
  return {
    record,
    show(c, snapshots) {
      record(c.get('event'), snapshots);
      if (!config.responseHeaders) return;
      for (const [k, v] of Object.entries(rateLimitHeaders(snapshots, now()))) c.header(k, v);
    },
  };
}
