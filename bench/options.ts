// The bench's command line: `npm run bench -- [--quick] [--rounds N] [--duration S] [--loadgen wrk|autocannon] ...`.
import { parseArgs } from 'node:util';

export interface BenchOptions {
  readonly quick: boolean;
  readonly rounds: number;
  /** Seconds of each measured run. */
  readonly durationS: number;
  /** Seconds of the unmeasured run before each measured one. */
  readonly warmupS: number;
  readonly loadgen: 'auto' | 'wrk' | 'autocannon';
  /** Scenario ids to run; empty means all. */
  readonly only: readonly string[];
  /** Run tollgate under `node --cpu-prof` in one scenario (chat-50, or the first of `only`) instead of the comparison. */
  readonly profile: boolean;
  readonly redisUrl: string;
  /** Print the table of a saved run again (bench/results/*.json) instead of running. */
  readonly report: string | undefined;
}

export const USAGE = `usage: npm run bench -- [options]
  --quick              smoke mode: every scenario once, a fraction of a second each; asserts only that all ran
  --rounds N           baseline/tollgate rounds per scenario (default 3)
  --duration S         seconds per measured run (default 5)
  --warmup S           seconds of unmeasured load before each measured run (default 1)
  --loadgen NAME       wrk or autocannon (default: wrk when installed, autocannon with --quick)
  --only ID,ID         run only these scenarios
  --profile            profile tollgate (node --cpu-prof) in chat-50 (or the --only scenario), print its hot functions
  --redis-url URL      the Redis for the Redis-store scenario (default redis://127.0.0.1:6379)
  --report FILE        print the table of a saved run (bench/results/*.json) again`;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not "${value}"`);
  return n;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      loadgen: { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
      report: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const loadgen = values.loadgen ?? 'auto';
  if (loadgen !== 'auto' && loadgen !== 'wrk' && loadgen !== 'autocannon') {
    throw new Error(`--loadgen must be wrk or autocannon, not "${loadgen}"`);
  }
  return {
    quick,
    rounds: Math.round(positive('rounds', values.rounds, quick ? 1 : 3)),
    durationS: positive('duration', values.duration, quick ? 0.4 : 5),
    warmupS: positive('warmup', values.warmup, quick ? 0.2 : 1),
    loadgen,
    only: values.only ? values.only.split(',').map((s) => s.trim()) : [],
    profile: values.profile === true,
    redisUrl: values['redis-url'] ?? 'redis://127.0.0.1:6379',
    report: values.report,
  };
}
