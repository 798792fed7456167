// load → validate → check → set up → compile: the one path both `tollgate run` and `tollgate lint` take.
import { readFile } from 'node:fs/promises';
import type { TargetDeps } from '../../providers/index.js';
import { checkConfig } from './check.js';
import { compile, type RuntimeConfig } from './compile.js';
import { type ConfigIssue, hasErrors, sortIssues } from './issues.js';
import { salvage } from './salvage.js';
import type { Config } from './schema.js';
import { readSource } from './source.js';
import { setUpTargets } from './targets.js';
import { validate } from './validate.js';

export interface LoadResult {
  /** Every finding, in reading order. */
  readonly issues: ConfigIssue[];
  readonly config: Config | undefined;
  /** Present only when there is no error. */
  readonly runtime: RuntimeConfig | undefined;
}

export interface LoadOptions {
  /**
   * `run` needs everything now. `lint` checks the file, often in CI without production secrets,
   * so what depends on this machine (an unset secret variable) is a warning there.
   */
  readonly purpose: 'run' | 'lint';
}

export function loadConfigText(
  file: string,
  text: string,
  deps: TargetDeps,
  options: LoadOptions = { purpose: 'run' },
): LoadResult {
  const source = readSource(file, text);
  const { config, issues } = validate(source);
  if (source.data === undefined) return { issues: sortIssues(issues), config: undefined, runtime: undefined };
  // Checks run on whatever could be read, so one run reports schema and semantic problems together.
  const parts = salvage(source.data);
  issues.push(...checkConfig(parts.checkable, source));
  const setUp = setUpTargets(parts.targets, source, deps, options.purpose === 'run' ? 'error' : 'warning');
  issues.push(...setUp.issues);
  const sorted = sortIssues(issues);
  if (!config || hasErrors(sorted)) return { issues: sorted, config, runtime: undefined };
  return { issues: sorted, config, runtime: compile(config, setUp.targets) };
}

/** The file could not be read at all: a usage error, not a finding. */
export class ConfigFileError extends Error {}

export async function readConfigFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new ConfigFileError(`cannot read ${file}: ${reason}`);
  }
}

export async function loadConfigFile(file: string, deps: TargetDeps, options?: LoadOptions): Promise<LoadResult> {
  return loadConfigText(file, await readConfigFile(file), deps, options);
}
