// Checks of what refers to something else by name: consumers' groups, windows' and routes' targets.
import type { Report } from './check.js';
import type { PathSegment } from './issues.js';
import type { Checkable } from './salvage.js';
import type { RateLimitsConfig } from './schema.js';
import { closest } from './suggest.js';

/** Paths the gateway serves itself: a route there would never be reached, or would hide it. */
const RESERVED = /^\/(v1(\/|$)|healthz$|readyz$|metrics$|admin(\/|$))/;

export function checkReferences(config: Checkable, report: Report): void {
  const groups = config.consumer_groups.flatMap((g) => (g ? [g.name] : []));
  const targetIds = config.providers.targets.flatMap((t) => (t ? [t.id] : []));
  const unknown = (code: string, path: PathSegment[], what: string, name: string, known: readonly string[]) => {
    const guess = closest(name, known);
    report.error(
      code,
      path,
      `${what} "${name}" does not exist`,
      guess ? `did you mean "${guess}"?` : known.length ? `known: ${known.join(', ')}` : undefined,
    );
  };

  config.consumers.forEach((c, i) => {
    c?.groups?.forEach((name, j) => {
      if (!groups.includes(name))
        unknown('unknown_group', ['consumers', i, 'groups', j], 'consumer group', name, groups);
    });
  });

  // Two limits on one window would count every call twice; a window for a provider target that does
  // not exist would silently never count anything.
  const checkWindows = (limits: RateLimitsConfig | undefined, at: PathSegment[]) => {
    const seen = new Map<string, number>();
    limits?.windows?.forEach((w, j) => {
      for (const unit of ['requests', 'tokens'] as const) {
        if (w[unit] === undefined) continue;
        const id = `${unit}/${w.seconds}/${w.provider ?? ''}/${w.window_type ?? 'sliding'}`;
        const first = seen.get(id);
        if (first === undefined) seen.set(id, j);
        else
          report.error(
            'duplicate_window',
            [...at, 'windows', j],
            `this window limits ${unit} over the same ${w.seconds} s${w.provider ? ` for ${w.provider}` : ''} as windows[${first}]`,
            'keep one of them: two limits on one window would count every call twice',
          );
      }
      if (w.provider !== undefined && targetIds.length > 0 && !targetIds.includes(w.provider)) {
        unknown('unknown_window_provider', [...at, 'windows', j, 'provider'], 'provider target', w.provider, targetIds);
      }
    });
  };
  config.consumer_groups.forEach((g, i) => {
    checkWindows(g?.rate_limits, ['consumer_groups', i, 'rate_limits']);
  });
  config.consumers.forEach((c, i) => {
    checkWindows(c?.rate_limits, ['consumers', i, 'rate_limits']);
  });
  checkWindows(config.rate_limit_defaults, ['rate_limit_defaults']);

  const paths = new Map<string, number>();
  config.routes.forEach((r, i) => {
    if (!r) return;
    if (targetIds.length > 0 && !targetIds.includes(r.target)) {
      unknown('unknown_route_target', ['routes', i, 'target'], 'provider target', r.target, targetIds);
    }
    if (RESERVED.test(r.path)) {
      report.error(
        'reserved_route',
        ['routes', i, 'path'],
        `route path ${r.path} is served by the gateway itself`,
        'choose a path outside /v1, /healthz, /readyz, /metrics and /admin',
      );
    }
    const first = paths.get(r.path);
    if (first === undefined) paths.set(r.path, i);
    else
      report.error(
        'duplicate_route',
        ['routes', i, 'path'],
        `route path ${r.path} is already used by routes[${first}]`,
      );
  });
}
