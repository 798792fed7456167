// `tollgate lint`: the same load and checks as `run`, reported for every file without starting anything.
import { type ConfigIssue, hasErrors } from '../config/issues.js';
import { loadConfigText, readConfigFile } from '../config/load.js';
import { processDeps } from './deps.js';
import { explain } from './explain.js';
import { type FileResult, type Format, render } from './lint-output.js';
import { summaryLines } from './summary.js';

export interface LintOptions {
  readonly files: readonly string[];
  readonly format: Format;
  /** Warnings count as errors. */
  readonly strict: boolean;
  /** Also print, per caller, the limits in force and their worst-case overshoot. */
  readonly explain: boolean;
}

const asError = (issue: ConfigIssue): ConfigIssue => ({ ...issue, severity: 'error' });

/** Prints the findings of every file; 0 when none has an error, 1 otherwise. Unreadable files throw. */
export async function lint(options: LintOptions, write: (text: string) => void): Promise<number> {
  // Read everything first: a missing file is a usage error, reported before any finding.
  const texts = await Promise.all(options.files.map(readConfigFile));
  const deps = processDeps();
  const results: FileResult[] = options.files.map((file, i) => {
    const loaded = loadConfigText(file, texts[i]!, deps, { purpose: 'lint' });
    const issues = options.strict ? loaded.issues.map(asError) : loaded.issues;
    const clean = loaded.runtime !== undefined && !hasErrors(issues);
    return {
      file,
      issues,
      summary: clean ? summaryLines(loaded.runtime!) : undefined,
      explanation: options.explain && clean && loaded.config ? explain(loaded.config) : undefined,
    };
  });
  write(render(options.format, results));
  return results.some((r) => hasErrors(r.issues)) ? 1 : 0;
}
