// Turns the rounds into medians with min–max, the ratios to the baseline, and the markdown table.
import type { Pinning } from './gateways.js';
import { describeMachine, type Machine } from './machine.js';
import type { Measurement } from './measure.js';
import type { BenchOptions } from './options.js';
import type { Scenario } from './scenarios.js';
import { type Spread, spread } from './stats.js';

export interface Round {
  readonly order: readonly ['baseline' | 'tollgate', 'baseline' | 'tollgate'];
  readonly baseline: Measurement;
  readonly tollgate: Measurement;
}

export interface ScenarioResult {
  readonly scenario: Omit<Scenario, 'body'>;
  readonly skipped?: string;
  readonly idleRssMiB?: { readonly baseline: number; readonly tollgate: number };
  readonly rounds: readonly Round[];
}

type Side = 'baseline' | 'tollgate';
const METRICS = [
  'rps',
  'p50Ms',
  'p99Ms',
  'cpuUsPerReq',
  'streamP50Ms',
  'peakRssMiB',
  'loopP99Ms',
  'loopMaxMs',
] as const;

export interface ScenarioSummary {
  readonly id: string;
  readonly baseline: Record<(typeof METRICS)[number], Spread>;
  readonly tollgate: Record<(typeof METRICS)[number], Spread>;
  /** Paired per round: tollgate ÷ baseline, or tollgate − baseline for latencies. */
  readonly vsBaseline: {
    readonly rps: Spread;
    readonly cpuUsPerReq: Spread;
    readonly addedP50Ms: Spread;
    readonly addedP99Ms: Spread;
  };
  readonly peakRssMiB: { readonly baseline: number; readonly tollgate: number };
}

export function summarize(result: ScenarioResult): ScenarioSummary {
  const of = (side: Side) =>
    Object.fromEntries(METRICS.map((m) => [m, spread(result.rounds.map((r) => r[side][m] ?? Number.NaN))])) as Record<
      (typeof METRICS)[number],
      Spread
    >;
  const paired = (f: (r: Round) => number) => spread(result.rounds.map(f));
  const peak = (side: Side) => Math.max(...result.rounds.map((r) => r[side].peakRssMiB));
  return {
    id: result.scenario.id,
    baseline: of('baseline'),
    tollgate: of('tollgate'),
    vsBaseline: {
      rps: paired((r) => r.tollgate.rps / r.baseline.rps),
      cpuUsPerReq: paired((r) => r.tollgate.cpuUsPerReq / r.baseline.cpuUsPerReq),
      addedP50Ms: paired((r) => r.tollgate.p50Ms - r.baseline.p50Ms),
      addedP99Ms: paired((r) => r.tollgate.p99Ms - r.baseline.p99Ms),
    },
    peakRssMiB: { baseline: peak('baseline'), tollgate: peak('tollgate') },
  };
}

const num = (v: number, digits: number) =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '–';
const cell = (s: Spread, digits: number) =>
  s.min === s.max ? num(s.median, digits) : `${num(s.median, digits)} (${num(s.min, digits)}–${num(s.max, digits)})`;
const signed = (v: number) => (v >= 0 ? `+${num(v, 2)}` : num(v, 2));
const signedCell = (s: Spread) =>
  s.min === s.max ? `${signed(s.median)} ms` : `${signed(s.median)} ms (${signed(s.min)} to ${signed(s.max)})`;
const times = (s: Spread) =>
  s.min === s.max ? `${num(s.median, 2)}×` : `${num(s.median, 2)}× (${num(s.min, 2)}–${num(s.max, 2)})`;

/**
 * Tollgate here against tollgate in another scenario, two ways that survive a machine whose load drifts between
 * scenarios: its req/s ratio to the baseline here over the same in the other; and the other's CPU per request
 * over this one's.
 */
function versus(s: ScenarioSummary, other: ScenarioSummary | undefined, what: string): string {
  const byRate = s.vsBaseline.rps.median / (other?.vsBaseline.rps.median ?? Number.NaN);
  const byCpu = (other?.tollgate.cpuUsPerReq.median ?? Number.NaN) / s.tollgate.cpuUsPerReq.median;
  return `vs ${what}: ${num(byRate, 2)}× req/s (each ÷ its baseline), ${num(byCpu, 2)}× by CPU/req`;
}

/** The last column: what the scenario is for, compared with the baseline or with another scenario. */
function comparison(result: ScenarioResult, s: ScenarioSummary, all: ReadonlyMap<string, ScenarioSummary>): string {
  const v = s.vsBaseline;
  const throughput = `${times(v.rps)} req/s, ${times(v.cpuUsPerReq)} CPU/req`;
  switch (result.scenario.id) {
    case 'chat-1':
      return `p50 ${signedCell(v.addedP50Ms)}, p99 ${signedCell(v.addedP99Ms)}`;
    case 'stream-1':
    case 'stream-10':
      return `first chunk p50 ${signedCell(v.addedP50Ms)}, p99 ${signedCell(v.addedP99Ms)}`;
    case 'prompt-4k':
      return `${throughput}; ${versus(s, all.get('chat-50'), 'small prompts')}`;
    case 'redis':
      return `${throughput}; ${versus(s, all.get('chat-50'), 'the memory store')}`;
    default:
      return throughput;
  }
}

/** What a scenario adds to its last column beyond the ratios: the large config's extra idle memory. */
function notesFor(results: readonly ScenarioResult[]): Map<string, string> {
  const idle = (id: string) => results.find((r) => r.scenario.id === id)?.idleRssMiB?.tollgate;
  const memory = idle('chat-50');
  const consumers = idle('consumers-10k');
  const notes = new Map<string, string>();
  if (memory !== undefined && consumers !== undefined) {
    notes.set('consumers-10k', `idle RSS ${(consumers - memory).toFixed(0)} MiB above the 6-group config`);
  }
  return notes;
}

export function markdownTable(results: readonly ScenarioResult[]): string {
  const notes = notesFor(results);
  const ran = results.filter((r) => !r.skipped && r.rounds.length > 0);
  const summaries = new Map(ran.map((r) => [r.scenario.id, summarize(r)]));
  const lines = [
    '| scenario | proxy | req/s | p50 ms | p99 ms | CPU µs/req | RSS idle / peak MiB | event loop p99 / max ms | tollgate vs baseline |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const result of results) {
    if (result.skipped) {
      lines.push(`| ${result.scenario.title} | – | skipped: ${result.skipped} | | | | | | |`);
      continue;
    }
    const s = summaries.get(result.scenario.id);
    if (!s) continue;
    for (const side of ['baseline', 'tollgate'] as const) {
      const m = s[side];
      const idle = result.idleRssMiB?.[side] ?? Number.NaN;
      const memory = `${num(idle, 0)} / ${num(s.peakRssMiB[side], 0)}`;
      // The typical round's p99, and the longest stall of any round.
      const loop = `${num(m.loopP99Ms.median, 1)} / ${num(m.loopMaxMs.max, 0)}`;
      const extra = side === 'tollgate' ? notes.get(result.scenario.id) : undefined;
      const compare = side === 'tollgate' ? comparison(result, s, summaries) + (extra ? `; ${extra}` : '') : '';
      const digits = result.scenario.connections === 1 ? 3 : 2;
      lines.push(
        `| ${side === 'baseline' ? result.scenario.title : ''} | ${side} | ${cell(m.rps, 0)} | ${cell(m.p50Ms, digits)} | ` +
          `${cell(m.p99Ms, digits)} | ${cell(m.cpuUsPerReq, 0)} | ${memory} | ${loop} | ${compare} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Everything a run recorded: what `npm run bench` writes as JSON and `--report FILE` prints again. */
export interface RunRecord {
  readonly started: string;
  readonly machine: { readonly before: Machine; readonly after: Machine };
  readonly options: BenchOptions;
  readonly pinning: Pinning;
  readonly loadgen: string;
  readonly streamClient: string;
  readonly events: Record<string, unknown> | null;
  readonly scenarios: readonly ScenarioResult[];
  readonly failures: readonly string[];
}

/** How the numbers were taken, then the table. */
export function renderRun(run: RunRecord): string {
  const { options, pinning, events } = run;
  const endLoad = run.machine.after.loadAverage.map((l) => l.toFixed(2)).join(' ');
  const pinned =
    pinning.gatewayCpu === null
      ? 'not pinned.'
      : `proxies on CPU ${pinning.gatewayCpu}, load generator and mock upstream on CPU ${pinning.loadCpu}.`;
  const eventsNote = events
    ? `events: ${JSON.stringify(events)}`
    : 'request events to stdout (no events: section in this build)';
  return [
    `Run ${run.started} on ${describeMachine(run.machine.before)} (load average at the end ${endLoad}).`,
    `Load: ${run.loadgen} (streams: ${run.streamClient}); ${options.rounds} round(s) of ${options.durationS} s per ` +
      `proxy, ${options.warmupS} s warm-up before each; ${pinned}`,
    'tollgate config: 6 groups with every limit and allowed_models, response_headers: true, ' +
      `${eventsNote}; medians of the rounds with (min–max); ratios and differences paired per round.`,
    '',
    markdownTable(run.scenarios),
  ].join('\n');
}
