// The errors stores raise: a shared store that is down under on_store_error: fail_closed.
import { GatewayError } from '../server/errors.js';
import type { StoreHealth } from './types.js';

/** Rendered as an OpenAI-shaped 503 by the one error renderer, like every GatewayError. */
export class StoreUnavailableError extends GatewayError {
  constructor(retryAfterSeconds: number) {
    super(
      503,
      'server_error',
      'budget_store_unavailable',
      'The gateway cannot reach its budget store and is configured to refuse requests until it is back (on_store_error: fail_closed). Retry shortly.',
      { headers: { 'retry-after': String(retryAfterSeconds) } },
    );
    this.name = 'StoreUnavailableError';
  }
}

/** GET /readyz while the store refuses every request: a load balancer should send traffic elsewhere. */
export class StoreNotReadyError extends GatewayError {
  constructor(store: StoreHealth) {
    super(
      503,
      'server_error',
      'budget_store_unavailable',
      'Not ready: the budget store is unreachable and on_store_error is fail_closed, so every request is refused until it is back.',
      { details: { store } },
    );
    this.name = 'StoreNotReadyError';
  }
}

/** A store config that cannot be used (a missing secret): `tollgate run` refuses to start. */
export class StoreSetupError extends Error {}
