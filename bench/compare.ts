// The comparison: for each scenario, rounds of baseline and tollgate in alternation; then the table and the JSON.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type Context, RESULTS } from './context.js';
import {
  CONSUMER_GROUPS,
  eventsSection,
  type RunningGateway,
  startBaseline,
  startMock,
  startTollgate,
} from './gateways.js';
import { streamClient } from './load/stream-client.js';
import { machine } from './machine.js';
import { type Measurement, measure, specFor } from './measure.js';
import type { Service } from './processes.js';
import { deleteKeys, redisReachable } from './redis.js';
import { type Round, type RunRecord, renderRun, type ScenarioResult, summarize } from './report.js';
import { writeJson } from './results.js';
import { checkAnswer } from './sanity.js';
import { type GatewayKind, SCENARIOS, type Scenario } from './scenarios.js';

async function runScenario(
  ctx: Context,
  scenario: Scenario,
  baseline: RunningGateway,
  tollgate: RunningGateway,
): Promise<ScenarioResult> {
  const body = scenario.body();
  await checkAnswer(baseline.url, baseline.apiKey, body, scenario.stream, false);
  await checkAnswer(tollgate.url, tollgate.apiKey, body, scenario.stream, true);
  const generator = scenario.stream ? streamClient : ctx.loadgen;
  const rounds: Round[] = [];
  for (let r = 0; r < ctx.options.rounds; r++) {
    // Alternate who goes first, so neither always runs on a warmer (or busier) machine.
    const order = r % 2 === 0 ? (['baseline', 'tollgate'] as const) : (['tollgate', 'baseline'] as const);
    const measured: Partial<Record<'baseline' | 'tollgate', Measurement>> = {};
    for (const side of order) {
      const target = side === 'baseline' ? baseline : tollgate;
      const spec = specFor(target, body, scenario.connections, ctx.options.durationS);
      measured[side] = await measure(generator, target, spec, ctx.options.warmupS, ctx.pinning);
    }
    const { baseline: b, tollgate: t } = measured;
    if (!b || !t) throw new Error('unreachable: both sides ran');
    rounds.push({ order, baseline: b, tollgate: t });
    const rate = (m: Measurement) =>
      `${m.rps.toFixed(0)}/s p50 ${m.p50Ms.toFixed(2)} ms, event loop max ${m.loopMaxMs.toFixed(0)} ms`;
    console.log(`bench: ${scenario.id} round ${r + 1}: baseline ${rate(b)}, tollgate ${rate(t)}`);
  }
  const { body: _body, ...described } = scenario;
  return {
    scenario: described,
    idleRssMiB: { baseline: baseline.idleRssMiB, tollgate: tollgate.idleRssMiB },
    rounds,
  };
}

export async function compare(ctx: Context): Promise<number> {
  const selected = SCENARIOS.filter((s) => ctx.options.only.length === 0 || ctx.options.only.includes(s.id));
  const started = new Date();
  const before = ctx.host;
  const mock = await startMock(ctx.dir, ctx.pinning);
  const upstream = `${mock.url}/v1`;
  const baseline = await startBaseline(ctx.dir, ctx.pinning, upstream, ctx.settleMs);
  const events = eventsSection();
  const redis = { url: ctx.options.redisUrl, keyPrefix: `bench-${randomBytes(4).toString('hex')}` };
  const gateways = new Map<GatewayKind, RunningGateway>();
  const start = (kind: GatewayKind) =>
    startTollgate({
      name: `tollgate-${kind}`,
      dir: ctx.dir,
      pinning: ctx.pinning,
      upstream,
      events,
      settleMs: ctx.settleMs,
      ...(kind === 'consumers' ? { extraGroups: CONSUMER_GROUPS } : {}),
      ...(kind === 'redis' ? { redis } : {}),
    });
  const results: ScenarioResult[] = [];
  const redisUp = selected.some((s) => s.gateway === 'redis') && (await redisReachable(redis.url));
  try {
    for (const scenario of selected) {
      const { body: _body, ...described } = scenario;
      if (scenario.gateway === 'redis' && !redisUp) {
        console.log(`bench: NOTICE: skipping ${scenario.id}: no Redis answers at ${redis.url}`);
        results.push({ scenario: described, skipped: `no Redis at ${redis.url}`, rounds: [] });
        continue;
      }
      let tollgate = gateways.get(scenario.gateway);
      if (!tollgate) {
        tollgate = await start(scenario.gateway);
        gateways.set(scenario.gateway, tollgate);
      }
      results.push(await runScenario(ctx, scenario, baseline, tollgate));
      // The 10,000-group and Redis gateways serve one scenario each: stop them so they idle on nothing.
      if (scenario.gateway !== 'memory') {
        await tollgate.stop();
        gateways.delete(scenario.gateway);
      }
    }
  } finally {
    await Promise.all([...gateways.values(), baseline, mock].map((s: Service) => s.stop()));
    if (redisUp) await deleteKeys(redis.url, redis.keyPrefix).catch(() => 0);
  }

  const after = { ...machine(), nproc: before.nproc };

  // A smoke run's fraction of a second may end before a slow request does (its answer was checked before);
  // a failed request fails any run.
  const failed = (m: Measurement) => m.errors > 0 || (m.ok === 0 && !ctx.options.quick);
  const failures = results.flatMap((r) =>
    r.rounds.flatMap((round, i) =>
      (['baseline', 'tollgate'] as const)
        .filter((side) => failed(round[side]))
        .map((side) => `${r.scenario.id} round ${i + 1} ${side}: ${round[side].ok} ok, ${round[side].errors} errors`),
    ),
  );
  const file = join(
    RESULTS,
    `bench-${started.toISOString().replace(/[:.]/g, '-')}${ctx.options.quick ? '-quick' : ''}.json`,
  );
  const record: RunRecord = {
    started: started.toISOString(),
    machine: { before, after },
    options: ctx.options,
    pinning: ctx.pinning,
    loadgen: ctx.loadgen.name,
    streamClient: streamClient.name,
    events,
    scenarios: results,
    failures,
  };
  const rendered = renderRun(record);
  console.log(`\n${rendered}\n`);
  const summaries = results.map((r) => (r.rounds.length > 0 ? summarize(r) : null));
  writeJson(file, { ...record, summaries, rendered });
  console.log(`bench: raw numbers in ${file}`);
  if (failures.length > 0) {
    console.error(`bench: FAILED: requests failed or none completed:\n  ${failures.join('\n  ')}`);
    return 1;
  }
  console.log(`bench: ${ctx.options.quick ? 'smoke run' : 'run'} complete: ${results.length} scenario(s)`);
  return 0;
}
