// Reads a V8 .cpuprofile (node --cpu-prof) and ranks functions and packages by self time.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  /** Microseconds on the monotonic clock. */
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface HotSpot {
  readonly name: string;
  readonly selfMs: number;
  /** Share of the time the process was not idle. */
  readonly share: number;
}

export interface ProfileSummary {
  /** False when no sample fell in the window asked for, and all samples were counted instead. */
  readonly windowed: boolean;
  readonly busyMs: number;
  readonly idleMs: number;
  readonly functions: readonly HotSpot[];
  readonly areas: readonly HotSpot[];
}

/** `node_modules/hono/dist/x.js` → `hono/dist/x.js`; `file:///repo/dist/src/a.js` → `dist/src/a.js`. */
function shortUrl(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) return path.slice(inModules + '/node_modules/'.length);
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

/** Where the time went, coarsely: a package, node's internals, tollgate's own code, GC. */
function areaOf(frame: ProfileNode['callFrame'], url: string): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  if (url.startsWith('dist/')) return `tollgate ${url.split('/').slice(1, 3).join('/')}`;
  const parts = url.split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
}

function rank(totals: Map<string, number>, busyMs: number, top: number): HotSpot[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, selfMs]) => ({ name, selfMs, share: selfMs / busyMs }));
}

/** Self time per function and per area, counting only samples taken within `window` (monotonic µs) if given. */
export function summarizeProfile(
  file: string,
  root: string,
  window?: { readonly fromUs: number; readonly toUs: number },
  top = 25,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const stamps: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) {
    t += delta;
    stamps.push(t);
  }
  const inWindow = (i: number) => !window || ((stamps[i] ?? 0) >= window.fromUs && (stamps[i] ?? 0) <= window.toUs);
  const windowed = window !== undefined && profile.samples.some((_, i) => inWindow(i));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let idleMs = 0;
  let busyMs = 0;
  profile.samples.forEach((id, i) => {
    if (windowed && !inWindow(i)) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    busyMs += ms;
    const url = shortUrl(frame.url, root);
    const name = `${frame.functionName || '(anonymous)'}${url ? ` ${url}:${frame.lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const area = areaOf(frame, url);
    areas.set(area, (areas.get(area) ?? 0) + ms);
  });
  return { windowed, busyMs, idleMs, functions: rank(functions, busyMs, top), areas: rank(areas, busyMs, 15) };
}

export function formatProfile(summary: ProfileSummary): string {
  const row = (h: HotSpot) => `| ${(h.share * 100).toFixed(1)}% | ${h.selfMs.toFixed(0)} | \`${h.name}\` |`;
  const busy = summary.busyMs + summary.idleMs;
  return [
    `Busy ${summary.busyMs.toFixed(0)} ms of ${busy.toFixed(0)} ms sampled` +
      (summary.windowed ? ' during the measured run.' : ' (whole process: start-up included).'),
    '',
    '| self % | self ms | area |',
    '| ---: | ---: | --- |',
    ...summary.areas.map(row),
    '',
    '| self % | self ms | function |',
    '| ---: | ---: | --- |',
    ...summary.functions.map(row),
  ].join('\n');
}
