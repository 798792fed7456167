// One measured run against one proxy: the load's numbers plus the proxy's CPU time and memory from /proc.

import type { Pinning } from './gateways.js';
import type { LoadGenerator, LoadSpec } from './load/types.js';
import { busyShare, coreTimes, cpuSeconds, peakRssMiB, resetPeakRss, rssMiB } from './proc-stats.js';

export interface Measurement {
  /** 2xx responses (streams: complete streams) per second. */
  readonly rps: number;
  readonly ok: number;
  readonly errors: number;
  readonly durationS: number;
  /** Latency percentiles; for streams, of the time to the first chunk. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Streams: the median time to the whole answer. */
  readonly streamP50Ms?: number;
  /** The proxy's user + system CPU time over the run, per 2xx response. */
  readonly cpuUsPerReq: number;
  readonly peakRssMiB: number;
  /** The proxy's event-loop delay over the run (from its /metrics): 99th percentile and longest, NaN if unread. */
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
  /** Share of the run each pinned core was busy (anyone's work, other processes included). */
  readonly gatewayCoreBusy: number;
  readonly loadCoreBusy: number;
}

export interface Target {
  readonly pid: number;
  readonly url: string;
  readonly apiKey: string;
}

export function specFor(target: Target, body: string, connections: number, durationS: number): LoadSpec {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${target.apiKey}` };
  return { url: target.url, headers, body, connections, durationS };
}

/**
 * The event-loop delay since the previous read: both proxies serve prom-client's
 * nodejs_eventloop_lag_* gauges at /metrics and reset them on each read.
 */
async function loopDelay(url: string): Promise<{ p99Ms: number; maxMs: number }> {
  let text = '';
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    text = await res.text();
  } catch {
    // Shown as '–': a missing gauge is not a failed run.
  }
  const read = (name: string) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
    return m ? Number(m[1]) * 1000 : Number.NaN;
  };
  return { p99Ms: read('nodejs_eventloop_lag_p99_seconds'), maxMs: read('nodejs_eventloop_lag_max_seconds') };
}

export async function measure(
  generator: LoadGenerator,
  target: Target,
  spec: LoadSpec,
  warmupS: number,
  pinning: Pinning,
): Promise<Measurement> {
  if (warmupS > 0) await generator.run({ ...spec, durationS: warmupS });
  const pid = target.pid;
  // Without permission to reset the high-water mark, sample RSS instead.
  const resettable = resetPeakRss(pid);
  let sampledPeak = rssMiB(pid);
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, rssMiB(pid));
  }, 100);
  const core = (cpu: number | null) => (cpu === null ? null : coreTimes(cpu));
  const [gatewayBefore, loadBefore] = [core(pinning.gatewayCpu), core(pinning.loadCpu)];
  await loopDelay(target.url);
  const cpuBefore = cpuSeconds(pid);
  try {
    const r = await generator.run(spec);
    const cpu = cpuSeconds(pid) - cpuBefore;
    const loop = await loopDelay(target.url);
    return {
      rps: r.ok / r.durationS,
      ok: r.ok,
      errors: r.errors,
      durationS: r.durationS,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      ...(r.streamP50Ms === undefined ? {} : { streamP50Ms: r.streamP50Ms }),
      cpuUsPerReq: r.ok > 0 ? (cpu * 1e6) / r.ok : Number.NaN,
      peakRssMiB: resettable ? peakRssMiB(pid) : Math.max(sampledPeak, rssMiB(pid)),
      loopP99Ms: loop.p99Ms,
      loopMaxMs: loop.maxMs,
      gatewayCoreBusy: busyShare(gatewayBefore, core(pinning.gatewayCpu)),
      loadCoreBusy: busyShare(loadBefore, core(pinning.loadCpu)),
    };
  } finally {
    clearInterval(sampler);
  }
}
