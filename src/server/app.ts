// createApp(deps): the gateway's HTTP surface, wired from the pieces it is given.
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import { UpstreamError } from '../../providers/index.js';
import { addContent } from '../events/content.js';
import { clientAddressOf } from '../identify/client-address.js';
import { createIdentifier } from '../identify/index.js';
import { StoreNotReadyError } from '../stores/errors.js';
import { adminRoutes } from './admin.js';
import type { AppEnv, GatewayDeps } from './app-types.js';
import { createChatHandler } from './chat.js';
import { headersOf } from './client-side.js';
import { GatewayError, notFound, renderError } from './errors.js';
import { eventFor } from './event.js';
import { createMetrics } from './metrics.js';
import { createRouter } from './router.js';
import { gatewayRedactor, requestSecrets } from './secrets.js';
import { createUsageHandler } from './usage-route.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

function clientAddress(c: Context<AppEnv>, forwardedFor: string | null, trustProxy: boolean): string {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    peer = undefined;
  }
  return clientAddressOf(forwardedFor ?? undefined, peer, trustProxy);
}

export function createApp(given: GatewayDeps): Hono<AppEnv> {
  const observability = given.observability ?? {};
  const metrics = observability.metrics ?? createMetrics(given.config);
  // Every store call the app makes is timed for the metrics, which also read the budgets from it.
  const deps: GatewayDeps = { ...given, store: metrics.watch(given.store, given.now) };
  const { config, logger } = deps;
  const identify = createIdentifier(config);
  const route = createRouter(config.targets);
  const app = new Hono<AppEnv>();
  const startedAt = Math.floor(deps.now() / 1000);
  const events = observability.eventLogger ?? logger;
  const includeContent = observability.includeContent === true;
  const tracer = observability.tracer;
  const chatPaths = new Set(['/v1/chat/completions', ...config.routes.keys()]);
  const redactor = gatewayRedactor(config, observability.adminToken, ...(deps.secrets ?? []));

  app.use(async (c, next) => {
    const started = performance.now();
    const headers = headersOf(c);
    const requestRedactor = redactor.with(requestSecrets(headers));
    const given = headers.get('x-request-id');
    // A request id is echoed and sent upstream: one that holds the caller's key (or any secret) is replaced.
    const safe = given && REQUEST_ID.test(given) && requestRedactor.text(given) === given;
    const requestId = safe ? given : crypto.randomUUID();
    c.set('requestId', requestId);
    c.set('clientAddress', clientAddress(c, headers.get('x-forwarded-for'), config.server.trust_proxy));
    c.set('event', {});
    c.set('redactor', requestRedactor);
    c.header('x-request-id', requestId);
    await next();
    if (!chatPaths.has(c.req.path)) return;
    const event = c.get('event');
    const status = c.res.status;
    const error = c.error;
    const log = () => {
      const record = eventFor(event, { requestId, status, error, latencyMs: performance.now() - started });
      metrics.observe(record);
      // Masked here for this request's own keys (a prompt or a model name may quote one), for the event and the
      // span alike; the logger masks the rest.
      const write = () => {
        const masked = requestRedactor.value(record);
        tracer?.record(masked, performance.timeOrigin + started, headers);
        events.info(masked, 'request');
      };
      if (!includeContent) write();
      else void addContent(record, c).then(write);
    };
    // A stream's event is written when the stream has ended, not when its head is sent.
    if (event.finished) void event.finished.then(log);
    else log();
  });

  app.post('/v1/chat/completions', createChatHandler(deps, identify, route));
  // Kong-style routes: OpenAI chat bodies posted to the path go to its target, whatever the model.
  for (const [path, target] of config.routes) {
    app.post(
      path,
      createChatHandler(deps, identify, () => target),
    );
  }

  app.get('/v1/models', (c) => {
    const { policy } = identify(headersOf(c), c.get('clientAddress'));
    const seen = new Set<string>();
    const data: Array<{ id: string; object: 'model'; created: number; owned_by: string }> = [];
    const offer = (id: string) => {
      const target = route(id);
      if (seen.has(id) || !target || (policy.models && !policy.models.matches(id))) return;
      seen.add(id);
      data.push({ id, object: 'model', created: startedAt, owned_by: target.id });
    };
    for (const target of config.targets) for (const id of target.models?.names ?? []) offer(id);
    for (const id of policy.models?.names ?? []) offer(id);
    return c.json({ object: 'list', data });
  });

  app.get('/v1/usage', createUsageHandler(deps, identify));

  // Alive even when the shared store is down (limits then hold locally); `store` says how it is.
  app.get('/healthz', (c) => c.json({ status: 'ok', store: deps.store.health?.() ?? null }));
  // Ready for traffic unless the process is stopping, or the store refuses every request (down under
  // on_store_error: fail_closed).
  app.get('/readyz', (c) => {
    const store = deps.store.health?.() ?? null;
    if (deps.draining?.()) {
      throw new GatewayError(
        503,
        'server_error',
        'draining',
        'Not ready: the gateway is shutting down (SIGTERM); requests in flight are finishing.',
        {
          details: { store },
        },
      );
    }
    if (store?.ready === false) throw new StoreNotReadyError(store);
    return c.json({ status: 'ready', store });
  });

  app.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
  );
  if (observability.adminToken) app.route('/admin', adminRoutes(deps, observability.adminToken));

  app.notFound((c) =>
    renderError(
      notFound(`Unknown request URL: ${c.req.method} ${c.req.path}.`, 'unknown_url'),
      c,
      () => {},
      c.get('redactor') ?? redactor,
    ),
  );
  app.onError((err, c) => {
    const masked = c.get('redactor') ?? redactor;
    const requestId = c.get('requestId');
    // The client is told only that the target was unreachable; where it was is for the operator.
    if (err instanceof UpstreamError && err.failure === 'unreachable' && err.cause !== undefined) {
      const target = c.get('event').target ?? null;
      logger.warn(masked.value({ err: err.cause, request_id: requestId, target }), 'upstream unreachable');
    }
    return renderError(
      err,
      c,
      (e) => logger.error(masked.value({ err: e, request_id: requestId }), 'unhandled error'),
      masked,
    );
  });
  return app;
}
