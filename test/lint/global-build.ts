// Vitest global setup: builds dist/ when sources changed since the last build, so CLI tests run current code.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCES = ['src', 'providers', 'policies', 'bench'];
const CLI = join(ROOT, 'dist/src/cli/main.js');
/** Its mtime is when the last build here started: a source saved during a build triggers the next one. */
const STAMP = join(ROOT, 'dist/.tests-built-at');

function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

export default function buildOnce(): void {
  const builtAt = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
  const changed = Math.max(...SOURCES.map((d) => newest(join(ROOT, d))), statSync(join(ROOT, 'package.json')).mtimeMs);
  if (existsSync(CLI) && changed < builtAt) return;
  const started = new Date();
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  } catch (err) {
    // tsc still emits on type errors; `tsc --noEmit` is where those fail. Only a missing CLI stops the tests.
    if (!existsSync(CLI)) throw err;
    console.warn(
      `global-build: tsc reported errors; testing what it emitted\n${String((err as { stdout?: unknown }).stdout ?? '')}`,
    );
  }
  writeFileSync(STAMP, `${started.toISOString()}\n`);
  utimesSync(STAMP, started, started);
}
