// Writes a result file under bench/results/, formatted the way the repo's linter expects.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './context.js';

const BIOME = join(ROOT, 'node_modules/.bin/biome');

export function writeJson(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  // `biome check .` looks at gitignored files too: keep results from failing a later lint.
  if (!existsSync(BIOME)) return;
  try {
    execFileSync(BIOME, ['format', '--write', file], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    // Unformatted numbers are still numbers.
  }
}
