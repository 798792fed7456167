// `npm run bench`: baseline proxy and tollgate, alternately, in every scenario; prints the table, writes the JSON.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare } from './compare.js';
import type { Context } from './context.js';
import type { Pinning } from './gateways.js';
import { autocannonLoad } from './load/autocannon.js';
import type { LoadGenerator } from './load/types.js';
import { hasWrk, wrkLoad } from './load/wrk.js';
import { machine } from './machine.js';
import { type BenchOptions, parseOptions, USAGE } from './options.js';
import { allowedCpus } from './proc-stats.js';
import { hasTaskset, installCleanup, killAll, pinSelf } from './processes.js';
import { profile } from './profile-run.js';
import { type RunRecord, renderRun } from './report.js';
import { SCENARIOS } from './scenarios.js';

function choosePinning(): Pinning {
  const cpus = allowedCpus();
  const [gatewayCpu, loadCpu] = cpus;
  if (!hasTaskset || gatewayCpu === undefined || loadCpu === undefined) {
    console.log('bench: not pinning (needs taskset and 2 cores): numbers are noisier');
    return { gatewayCpu: null, loadCpu: null };
  }
  pinSelf(loadCpu);
  return { gatewayCpu, loadCpu };
}

function chooseLoadgen(options: BenchOptions, pinning: Pinning, dir: string): LoadGenerator {
  const wanted = options.loadgen === 'auto' ? (!options.quick && hasWrk() ? 'wrk' : 'autocannon') : options.loadgen;
  if (wanted === 'wrk' && !hasWrk()) throw new Error('--loadgen wrk: wrk is not installed (apt-get install wrk)');
  return wanted === 'wrk' ? wrkLoad(pinning.loadCpu, dir) : autocannonLoad;
}

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(argv);
  } catch (err) {
    console.error(`bench: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const unknown = options.only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) {
    console.error(`bench: unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
    return 2;
  }
  if (options.report) {
    console.log(renderRun(JSON.parse(readFileSync(options.report, 'utf8')) as RunRecord));
    return 0;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  installCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const host = machine();
  const pinning = choosePinning();
  const ctx: Context = {
    options,
    pinning,
    loadgen: chooseLoadgen(options, pinning, dir),
    dir,
    settleMs: options.quick ? 200 : 1_000,
    host,
  };
  let ok = false;
  try {
    const code = options.profile ? await profile(ctx) : await compare(ctx);
    ok = code === 0;
    return code;
  } finally {
    killAll();
    // Keep the servers' logs when something went wrong.
    if (ok) rmSync(ctx.dir, { recursive: true, force: true });
    else console.error(`bench: logs kept in ${ctx.dir}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
