// `lint --explain`: per caller, the limits in force and where they come from, and how far each token limit can overshoot.
import {
  type EffectiveLimits,
  effectiveLimits,
  LIMIT_NAMES,
  maxInFlight,
  outputAllowance,
} from '../config/budget-math.js';
import type { Config } from '../config/schema.js';

export interface LimitExplanation {
  readonly name: string;
  readonly value: number;
  readonly from: 'group' | 'rate_limit_defaults';
  /** The worst case for this limit when many requests are in flight. */
  readonly bound: string;
}

export interface CallerExplanation {
  readonly name: string;
  readonly who: string;
  readonly limits: readonly LimitExplanation[];
  /** Limits set neither on the group nor in rate_limit_defaults: they do not apply. */
  readonly unlimited: readonly string[];
  readonly models: readonly string[] | 'all';
}

export interface Explanation {
  readonly outputAllowance: string;
  readonly overshoot: string;
  readonly callers: readonly CallerExplanation[];
}

export function explain(config: Config): Explanation {
  const { budget } = config;
  const allowance = outputAllowance(budget);
  /** requests_per_minute is counted at admission; token limits can be passed by what estimates miss. */
  const bound = (name: string, value: number, rpm: number | undefined): string => {
    if (name === 'requests_per_minute') return 'never overshot: counted when a request is admitted';
    const admitted = rpm === undefined ? '' : `, ${rpm} admitted per minute`;
    const inFlight = `≤ ${maxInFlight(value)} in flight at once${admitted}`;
    if (!budget.cap_upstream_output) return 'overshoot unbounded: answers are not capped at their allowance';
    return `overshoot ≤ prompt-estimate error × requests in flight (${inFlight})`;
  };
  const describe = (name: string, who: string, limits: EffectiveLimits, models: readonly string[] | undefined) => ({
    name,
    who,
    limits: LIMIT_NAMES.flatMap((n) => {
      const l = limits[n];
      if (!l) return [];
      const from = l.path[0] === 'rate_limit_defaults' ? ('rate_limit_defaults' as const) : ('group' as const);
      return [{ name: n, value: l.value, from, bound: bound(n, l.value, limits.requests_per_minute?.value) }];
    }),
    unlimited: LIMIT_NAMES.filter((n) => !limits[n]),
    models: models ?? ('all' as const),
  });

  const defaults = config.rate_limit_defaults;
  const callers: CallerExplanation[] = config.consumer_groups.map((g, i) =>
    describe(
      g.name,
      g.api_key_sha256 !== undefined
        ? 'key stored as api_key_sha256'
        : g.api_key !== undefined
          ? 'key stored in plain text'
          : 'no key',
      effectiveLimits({ limits: g.rate_limits, path: ['consumer_groups', i, 'rate_limits'] }, defaults),
      // As the gateway resolves it: a group without a list gets the defaults' list.
      g.allowed_models ?? defaults.allowed_models,
    ),
  );
  callers.push(
    describe(
      'default',
      defaults.anonymous === 'deny'
        ? 'callers without a known key are refused (anonymous: deny)'
        : 'callers without a known key, counted per client address',
      effectiveLimits(undefined, defaults),
      defaults.allowed_models,
    ),
  );
  return {
    outputAllowance: `a request reserves its prompt estimate plus its max_tokens (or max_completion_tokens), or ${allowance.standard} output tokens when it sets neither (budget.default_output_tokens); when a token limit has less room it is admitted with less, down to ${allowance.minimum} (budget.min_output_tokens), and refused below that`,
    overshoot: budget.cap_upstream_output
      ? "the upstream is told to stop at each request's allowance (budget.cap_upstream_output), so output never outspends its reservation; only the prompt estimate can be off (far from a limit the prompt is reserved by its UTF-8 length, an upper bound; near one it is counted with tiktoken, exact for OpenAI text, while images, tools and other vendors' tokenizers can differ)"
      : "budget.cap_upstream_output is false: answers can run past their allowance up to the model's own output limit, so the gateway cannot bound how far a token limit is overshot",
    callers,
  };
}

export function explanationLines(e: Explanation): string[] {
  const lines = [`output allowance: ${e.outputAllowance}`, `overshoot: ${e.overshoot}`];
  for (const c of e.callers) {
    lines.push('', `${c.name} (${c.who})`);
    for (const l of c.limits) {
      const from = l.from === 'group' ? 'set on the group' : 'from rate_limit_defaults';
      lines.push(`  ${l.name.padEnd(20)} ${String(l.value).padStart(10)}  ${from.padEnd(24)} ${l.bound}`);
    }
    if (c.unlimited.length)
      lines.push(`  not limited by: ${c.unlimited.join(', ')} (set neither on the group nor in rate_limit_defaults)`);
    lines.push(`  models: ${c.models === 'all' ? 'every model a target serves' : c.models.join(', ') || 'none'}`);
  }
  return lines;
}
