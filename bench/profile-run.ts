// `npm run bench -- --profile [--only ID]`: tollgate under `node --cpu-prof` in one scenario, and where its time goes.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Context, RESULTS, ROOT } from './context.js';
import { CONSUMER_GROUPS, eventsSection, startMock, startTollgate } from './gateways.js';
import { streamClient } from './load/stream-client.js';
import { measure, specFor } from './measure.js';
import { formatProfile, summarizeProfile } from './profile.js';
import { writeJson } from './results.js';
import { SCENARIOS } from './scenarios.js';

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** tollgate under `node --cpu-prof` in chat-50 (or the first --only scenario); prints where its CPU time goes. */
export async function profile(ctx: Context): Promise<number> {
  const id = ctx.options.only[0] ?? 'chat-50';
  const scenario = SCENARIOS.find((s) => s.id === id);
  if (!scenario || scenario.gateway === 'redis') throw new Error(`--profile runs any scenario but redis, not "${id}"`);
  const generator = scenario.stream ? streamClient : ctx.loadgen;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const profileDir = join(RESULTS, `profile-${stamp}`);
  mkdirSync(profileDir, { recursive: true });
  const mock = await startMock(ctx.dir, ctx.pinning);
  const upstream = `${mock.url}/v1`;
  const events = eventsSection();
  const tollgate = await startTollgate({
    name: 'tollgate-profiled',
    dir: ctx.dir,
    pinning: ctx.pinning,
    upstream,
    events,
    settleMs: ctx.settleMs,
    ...(scenario.gateway === 'consumers' ? { extraGroups: CONSUMER_GROUPS } : {}),
    nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir],
  });
  let window: { fromUs: number; toUs: number } | undefined;
  try {
    const spec = specFor(tollgate, scenario.body(), scenario.connections, ctx.options.durationS);
    await generator.run({ ...spec, durationS: ctx.options.warmupS });
    // V8's profile clock and hrtime are both CLOCK_MONOTONIC: samples outside the measured run are left out.
    const fromUs = monotonicUs();
    const m = await measure(generator, tollgate, spec, 0, ctx.pinning);
    window = { fromUs, toUs: monotonicUs() };
    console.log(
      `bench: profiled ${id}: ${m.rps.toFixed(0)} req/s, ${m.cpuUsPerReq.toFixed(0)} µs CPU/req, ${m.errors} errors`,
    );
  } finally {
    // SIGINT lets tollgate shut down normally, which is when node writes the profile.
    await tollgate.stop(20_000, 'SIGINT');
    await mock.stop();
  }
  const written = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!written) throw new Error(`no .cpuprofile in ${profileDir}: did tollgate exit cleanly?`);
  const summary = summarizeProfile(join(profileDir, written), ROOT, window);
  writeJson(join(profileDir, 'summary.json'), summary);
  console.log(`\n${formatProfile(summary)}\n\nbench: profile in ${join(profileDir, written)}`);
  return 0;
}
