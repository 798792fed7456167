// load → validate → check → compile: the one path both `tollgate run` and `tollgate lint` take.
import { readFile } from 'node:fs/promises';
import type { TargetDeps } from '../../providers/index.js';
import { checkConfig } from './check.js';
import { compile, type RuntimeConfig } from './compile.js';
import { type ConfigIssue, hasErrors } from './issues.js';
import type { Config } from './schema.js';
import { readSource } from './source.js';
import { validate } from './validate.js';

export interface LoadResult {
  readonly issues: ConfigIssue[];
  readonly config: Config | undefined;
  /** Present only when there is no error. */
  readonly runtime: RuntimeConfig | undefined;
}

export function loadConfigText(file: string, text: string, deps: TargetDeps): LoadResult {
  const source = readSource(file, text);
  const { config, issues } = validate(source);
  if (!config) return { issues, config, runtime: undefined };
  issues.push(...checkConfig(config, source));
  if (hasErrors(issues)) return { issues, config, runtime: undefined };
  const compiled = compile(config, source, deps);
  issues.push(...compiled.issues);
  return { issues, config, runtime: compiled.runtime };
}

export class ConfigFileError extends Error {}

export async function loadConfigFile(file: string, deps: TargetDeps): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigFileError(`cannot read ${file}: ${reason}`);
  }
  return loadConfigText(file, text, deps);
}
