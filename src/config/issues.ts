// A config finding with its place in the source, and how findings are printed.
export type Severity = 'error' | 'warning';

export interface ConfigIssue {
  readonly severity: Severity;
  /** Stable identifier of the check, e.g. `unknown_field`. */
  readonly code: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Config path, e.g. `consumer_groups[1].rate_limits.requests_per_minute`; empty for the root. */
  readonly path: string;
  readonly message: string;
  readonly hint?: string | undefined;
}

export type PathSegment = string | number;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** `file:line:col: severity: message (path) [code]`, then the hint on its own line. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.path ? ` (${issue.path})` : '';
  const hint = issue.hint ? `\n  hint: ${issue.hint}` : '';
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.severity}: ${issue.message}${where} [${issue.code}]${hint}`;
}

export function hasErrors(issues: readonly ConfigIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

/** In reading order, errors first on one spot; stable, so checks keep their order otherwise. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const rank = (i: ConfigIssue) => (i.severity === 'error' ? 0 : 1);
  return [...issues].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || rank(a) - rank(b),
  );
}
