// Runs the built `tollgate` CLI as a subprocess, with only the environment a test gives it.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURES = 'test/fixtures/lint';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function tollgate(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['dist/src/cli/main.js', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Writes a config to a fresh temporary directory and returns its path. */
export function tempConfig(yaml: string, name = 'policy-config.yaml'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tollgate-lint-')), name);
  writeFileSync(file, yaml);
  return file;
}

/** The `file:line:col: severity: …` lines of text output, without hints and summaries. */
export function findingLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\S+:\d+:\d+: (error|warning): /.test(l));
}
