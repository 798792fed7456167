// Non-streaming load with wrk (Debian package), pinned to the load core; used when installed.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedCommand } from '../processes.js';
import type { LoadGenerator, LoadResult, LoadSpec } from './types.js';

export function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk prints its version with exit code 1.
    return (err as { status?: number }).status === 1;
  }
}

const luaString = (s: string) => `"${s.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n')}"`;

/** Sets method, body and headers, and prints the numbers as one JSON line when wrk is done. */
function script(spec: LoadSpec, bodyFile: string): string {
  const headers = Object.entries(spec.headers)
    .map(([k, v]) => `wrk.headers[${luaString(k)}] = ${luaString(v)}`)
    .join('\n');
  return `wrk.method = "POST"
local f = assert(io.open(${luaString(bodyFile)}, "rb"))
wrk.body = f:read("*a")
f:close()
${headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"requests":%d,"duration_us":%d,"socket_errors":%d,"status_errors":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
`;
}

/** wrk pinned to `cpu`, its script and body written under `workDir`. */
export function wrkLoad(cpu: number | null, workDir: string): LoadGenerator {
  return {
    name: 'wrk',
    async run(spec: LoadSpec): Promise<LoadResult> {
      const dir = mkdtempSync(join(workDir, 'wrk-'));
      try {
        const bodyFile = join(dir, 'body.json');
        const luaFile = join(dir, 'load.lua');
        writeFileSync(bodyFile, spec.body);
        writeFileSync(luaFile, script(spec, bodyFile));
        // wrk takes whole seconds only.
        const seconds = Math.max(1, Math.round(spec.durationS));
        const args = ['-t1', `-c${spec.connections}`, `-d${seconds}s`, '--timeout', '30s', '-s', luaFile];
        const [command, argv] = pinnedCommand(cpu, 'wrk', [...args, `${spec.url}/v1/chat/completions`]);
        const stdout = await new Promise<string>((resolve, reject) =>
          execFile(command, argv, (err, out) => (err ? reject(err) : resolve(out))),
        );
        const line = stdout.split('\n').find((l) => l.startsWith('BENCH '));
        if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
        const r = JSON.parse(line.slice(6)) as Record<string, number>;
        const requests = r.requests ?? 0;
        const statusErrors = r.status_errors ?? 0;
        return {
          ok: requests - statusErrors,
          errors: statusErrors + (r.socket_errors ?? 0),
          durationS: (r.duration_us ?? 0) / 1e6,
          p50Ms: (r.p50_us ?? Number.NaN) / 1000,
          p99Ms: (r.p99_us ?? Number.NaN) / 1000,
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
