// Reads a V8 .cpuprofile (node --cpu-prof): self time per function and per area, and tollgate's inclusive time.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
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
  readonly ms: number;
  /** Share of the time the process was not idle. */
  readonly share: number;
}

export interface ProfileSummary {
  /** False when no sample fell in the window asked for, and all samples were counted instead. */
  readonly windowed: boolean;
  readonly busyMs: number;
  readonly idleMs: number;
  /** Self time. */
  readonly functions: readonly HotSpot[];
  readonly areas: readonly HotSpot[];
  /** Time in tollgate's own functions and everything they call. */
  readonly inclusive: readonly HotSpot[];
}

/** `node_modules/hono/dist/x.js` → `hono/dist/x.js`; `file:///repo/dist/src/a.js` → `dist/src/a.js`. */
function shortUrl(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) return path.slice(inModules + '/node_modules/'.length);
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

/** Where the time went: a package, a part of node (undici is its fetch), tollgate's own folders, GC. */
function areaOf(frame: ProfileNode['callFrame'], url: string): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native: V8 and node C++)';
  if (url.startsWith('wasm:')) return 'wasm (tiktoken)';
  const internal = /^node:internal\/(?:deps\/)?([\w-]+)/.exec(url);
  if (internal) return `node: ${internal[1]}`;
  if (url.startsWith('node:')) return `node: ${url.slice(5).replace(/^_/, '').split(/[_/]/)[0]}`;
  if (url.startsWith('dist/')) return `tollgate ${url.split('/').slice(1, 3).join('/')}`;
  const parts = url.split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
}

function rank(totals: Map<string, number>, busyMs: number, top: number): HotSpot[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms, share: ms / busyMs }));
}

/** Sample times on the monotonic clock (µs). */
function sampleTimes(profile: CpuProfile): number[] {
  const stamps: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) {
    t += delta;
    stamps.push(t);
  }
  return stamps;
}

/** Counts only samples taken within `window` (monotonic µs) when given and when any fall in it. */
export function summarizeProfile(
  file: string,
  root: string,
  window?: { readonly fromUs: number; readonly toUs: number },
  top = 25,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const stamps = sampleTimes(profile);
  const inWindow = (i: number) => !window || ((stamps[i] ?? 0) >= window.fromUs && (stamps[i] ?? 0) <= window.toUs);
  const windowed = window !== undefined && profile.samples.some((_, i) => inWindow(i));
  const nameOf = (frame: ProfileNode['callFrame'], url: string) =>
    `${frame.functionName || '(anonymous)'}${url ? ` ${url}:${frame.lineNumber + 1}` : ''}`;
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
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
    add(functions, nameOf(frame, url), ms);
    add(areas, areaOf(frame, url), ms);
    // Each of tollgate's functions on the stack once, however deep the recursion.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)?.callFrame;
      if (!f) continue;
      const u = shortUrl(f.url, root);
      if (u.startsWith('dist/')) seen.add(nameOf(f, u));
    }
    for (const name of seen) add(inclusive, name, ms);
  });
  return {
    windowed,
    busyMs,
    idleMs,
    functions: rank(functions, busyMs, top),
    areas: rank(areas, busyMs, 20),
    inclusive: rank(inclusive, busyMs, 20),
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const table = (title: string, spots: readonly HotSpot[]) => [
    `| % of busy | ms | ${title} |`,
    '| ---: | ---: | --- |',
    ...spots.map((h) => `| ${(h.share * 100).toFixed(1)}% | ${h.ms.toFixed(0)} | \`${h.name}\` |`),
    '',
  ];
  const busy = summary.busyMs + summary.idleMs;
  return [
    `Busy ${summary.busyMs.toFixed(0)} ms of ${busy.toFixed(0)} ms sampled` +
      (summary.windowed ? ' during the measured run.' : ' (whole process: start-up included).'),
    '',
    ...table('self time by area', summary.areas),
    ...table('self time by function', summary.functions),
    ...table("inclusive time of tollgate's functions", summary.inclusive),
  ].join('\n');
}
