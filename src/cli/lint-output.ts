// How `tollgate lint` prints its findings: text for people, JSON for tools, annotations for GitHub Actions.
import { type ConfigIssue, formatIssue } from '../config/issues.js';
import type { Explanation } from './explain.js';
import { explanationLines } from './explain.js';

export const FORMATS = ['text', 'json', 'github'] as const;
export type Format = (typeof FORMATS)[number];

export interface FileResult {
  readonly file: string;
  readonly issues: readonly ConfigIssue[];
  /** The start-up summary, when the file has no error. */
  readonly summary: readonly string[] | undefined;
  readonly explanation?: Explanation | undefined;
}

const count = (issues: readonly ConfigIssue[], severity: ConfigIssue['severity']) =>
  issues.filter((i) => i.severity === severity).length;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function verdict(r: FileResult): string {
  const errors = count(r.issues, 'error');
  const warnings = count(r.issues, 'warning');
  if (errors > 0) return `${r.file}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  return `${r.file}: OK${warnings ? ` (${plural(warnings, 'warning')})` : ''}`;
}

export function renderText(results: readonly FileResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(...r.issues.map(formatIssue), verdict(r));
    for (const line of r.summary ?? []) lines.push(`  ${line}`);
    if (r.explanation) lines.push('', ...explanationLines(r.explanation).map((l) => (l ? `  ${l}` : l)), '');
  }
  if (results.length > 1) {
    const all = results.flatMap((r) => r.issues);
    lines.push(
      `${plural(results.length, 'file')} checked: ${plural(count(all, 'error'), 'error')}, ${plural(count(all, 'warning'), 'warning')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function renderJson(results: readonly FileResult[]): string {
  const all = results.flatMap((r) => r.issues);
  const out = {
    ok: count(all, 'error') === 0,
    errors: count(all, 'error'),
    warnings: count(all, 'warning'),
    files: results.map((r) => ({
      file: r.file,
      ok: count(r.issues, 'error') === 0,
      errors: count(r.issues, 'error'),
      warnings: count(r.issues, 'warning'),
      ...(r.explanation ? { explanation: r.explanation } : {}),
    })),
    findings: all,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** Workflow-command escaping: data escapes %, CR and LF; property values also `:` and `,`. */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function renderGithub(results: readonly FileResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    for (const i of r.issues) {
      const props = [
        `file=${escapeProperty(i.file)}`,
        `line=${i.line}`,
        `col=${i.column}`,
        `title=${escapeProperty(`tollgate lint: ${i.code}`)}`,
      ].join(',');
      const where = i.path ? ` (${i.path})` : '';
      const hint = i.hint ? `\nhint: ${i.hint}` : '';
      lines.push(`::${i.severity} ${props}::${escapeData(`${i.message}${where}${hint}`)}`);
    }
    lines.push(verdict(r));
  }
  return `${lines.join('\n')}\n`;
}

export function render(format: Format, results: readonly FileResult[]): string {
  if (format === 'json') return renderJson(results);
  if (format === 'github') return renderGithub(results);
  return renderText(results);
}
