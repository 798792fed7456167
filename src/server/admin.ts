// The admin API: every consumer group's and consumer's current usage and remaining budget, per limit.
import { Hono } from 'hono';
import type { Policy } from '../config/compile.js';
import { adminAuth } from './admin-auth.js';
import type { AppEnv, GatewayDeps } from './app-types.js';
import { notFound, renderError } from './errors.js';
import { policyChecks } from './group-checks.js';
import { gatewayRedactor } from './secrets.js';
import { limitReports } from './usage-route.js';

type AdminDeps = Pick<GatewayDeps, 'config' | 'store' | 'now' | 'logger' | 'reload' | 'secrets'>;

/** The routes under /admin, behind the token; mounted on the gateway or served on their own port. */
export function adminRoutes(deps: AdminDeps, token: string): Hono<AppEnv> {
  const { config, store, now } = deps;
  const checks = policyChecks(config);

  const usage = async (policy: Policy, at: number) =>
    limitReports(await store.snapshot(checks.get(policy) ?? [], at), at);
  const consumerUsage = async (policy: Policy, at: number) => ({
    consumer: policy.consumer,
    consumer_group: policy.group,
    allowed_models: policy.models?.patterns ?? null,
    limits: await usage(policy, at),
  });
  const groupUsage = async (policy: Policy, at: number) => ({
    consumer_group: policy.group,
    allowed_models: policy.models?.patterns ?? null,
    limits: await usage(policy, at),
    /** Consumers whose first group this is. */
    consumers: await Promise.all(
      config.consumers.filter((c) => c.group === policy.group).map((c) => consumerUsage(c, at)),
    ),
  });
  // Callers without a recognised key are counted per client address: shown as limits, not usage.
  const anonymous = () => ({
    consumer_group: config.defaults.group,
    counted_per: 'client_address',
    anonymous: config.anonymous,
    limits: config.defaults.specs.map((s) => ({ name: s.name, unit: s.unit, limit: s.limit })),
  });

  const admin = new Hono<AppEnv>();
  admin.use(adminAuth(token));
  admin.get('/usage', async (c) => {
    const at = now();
    const grouped = new Set(config.groups.map((g) => g.group));
    return c.json({
      object: 'list',
      time: new Date(at).toISOString(),
      data: await Promise.all(config.groups.map((p) => groupUsage(p, at))),
      /** Consumers in no group: listed on their own. */
      consumers: await Promise.all(
        config.consumers.filter((c) => !grouped.has(c.group)).map((c) => consumerUsage(c, at)),
      ),
      defaults: anonymous(),
    });
  });
  admin.post('/reload', async (c) => {
    if (!deps.reload) throw notFound('This gateway was not started from a config file: there is nothing to reload.');
    const report = await deps.reload('admin');
    return c.json(report, report.outcome === 'applied' ? 200 : 422);
  });
  admin.get('/usage/:group', async (c) => {
    const name = c.req.param('group');
    const policy = config.groups.find((p) => p.group === name);
    if (!policy) {
      throw notFound(
        `No consumer group named "${name}". Callers without a key are counted per client address and are not listed.`,
        'group_not_found',
      );
    }
    return c.json(await groupUsage(policy, now()));
  });
  return admin;
}

/** The admin API on a listener of its own (TOLLGATE_ADMIN_PORT), away from the public port. */
export function createAdminApp(deps: AdminDeps, token: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.route('/admin', adminRoutes(deps, token));
  const redactor = gatewayRedactor(deps.config, token, ...(deps.secrets ?? []));
  app.notFound((c) =>
    renderError(notFound(`Unknown admin URL: ${c.req.method} ${c.req.path}.`), c, () => {}, redactor),
  );
  app.onError((err, c) =>
    renderError(err, c, (e) => deps.logger.error(redactor.value({ err: e }), 'admin: unhandled error'), redactor),
  );
  return app;
}
