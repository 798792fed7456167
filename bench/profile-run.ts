// `npm run bench -- --profile`: tollgate under `node --cpu-prof` in the 50-connection scenario, and where its time goes.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Context, RESULTS, ROOT } from './context.js';
import { eventsSection, startMock, startTollgate } from './gateways.js';
import { measure, specFor } from './measure.js';
import { formatProfile, summarizeProfile } from './profile.js';
import { SCENARIOS } from './scenarios.js';

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** tollgate under `node --cpu-prof` in the 50-connection scenario; prints where its CPU time goes. */
export async function profile(ctx: Context): Promise<number> {
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
    nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir],
  });
  const scenario = SCENARIOS.find((s) => s.id === 'chat-50');
  if (!scenario) throw new Error('no chat-50 scenario');
  let window: { fromUs: number; toUs: number } | undefined;
  try {
    const spec = specFor(tollgate, scenario.body(), scenario.connections, ctx.options.durationS);
    await ctx.loadgen.run({ ...spec, durationS: ctx.options.warmupS });
    // V8's profile clock and hrtime are both CLOCK_MONOTONIC: samples outside the measured run are left out.
    const fromUs = monotonicUs();
    const m = await measure(ctx.loadgen, tollgate, spec, 0, ctx.pinning);
    window = { fromUs, toUs: monotonicUs() };
    console.log(
      `bench: profiled run: ${m.rps.toFixed(0)} req/s, ${m.cpuUsPerReq.toFixed(0)} µs CPU/req, ${m.errors} errors`,
    );
  } finally {
    // SIGINT lets tollgate shut down normally, which is when node writes the profile.
    await tollgate.stop(20_000, 'SIGINT');
    await mock.stop();
  }
  const written = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!written) throw new Error(`no .cpuprofile in ${profileDir}: did tollgate exit cleanly?`);
  const summary = summarizeProfile(join(profileDir, written), ROOT, window);
  writeFileSync(join(profileDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`\n${formatProfile(summary)}\n\nbench: profile in ${join(profileDir, written)}`);
  return 0;
}
