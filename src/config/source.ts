// A YAML config file kept with its syntax tree, so any config path maps back to line:column.
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { ConfigIssue, PathSegment, Severity } from './issues.js';
import { formatPath } from './issues.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface ConfigSource {
  readonly file: string;
  /** The document as plain data, for schema validation (undefined when YAML could not be read). */
  readonly data: unknown;
  /** YAML syntax errors and duplicate keys. */
  readonly syntaxIssues: ConfigIssue[];
  /** Where a path's value is written; for a path that is absent, where its parent is. */
  locate(path: readonly PathSegment[], at?: 'key' | 'value'): Position;
  issue(
    severity: Severity,
    code: string,
    path: readonly PathSegment[],
    message: string,
    hint?: string,
    at?: 'key' | 'value',
  ): ConfigIssue;
}

export function readSource(file: string, text: string): ConfigSource {
  const lines = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const pos = (offset: number): Position => {
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };

  const startOf = (node: unknown): Position | undefined => {
    const range = (node as Node | null)?.range;
    return range ? pos(range[0]) : undefined;
  };

  function locate(path: readonly PathSegment[], at: 'key' | 'value' = 'value'): Position {
    let node: unknown = doc.contents;
    let found = startOf(node) ?? { line: 1, column: 1 };
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      if (isMap(node)) {
        // The last of duplicate keys, because that is the value YAML keeps.
        const pair = node.items.findLast((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return found;
        const keyAt = startOf(pair.key);
        if (i === path.length - 1 && at === 'key') return keyAt ?? found;
        found = startOf(pair.value) ?? keyAt ?? found;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        node = node.items[seg];
        found = startOf(node) ?? found;
      } else {
        return found;
      }
    }
    return found;
  }

  function issue(
    severity: Severity,
    code: string,
    path: readonly PathSegment[],
    message: string,
    hint?: string,
    at: 'key' | 'value' = 'value',
  ): ConfigIssue {
    const p = locate(path, at);
    return { severity, code, file, line: p.line, column: p.column, path: formatPath(path), message, hint };
  }

  const syntaxIssues: ConfigIssue[] = [...doc.errors, ...doc.warnings].map((e) => {
    const p = pos(e.pos[0]);
    const severity: Severity = doc.errors.includes(e) ? 'error' : 'warning';
    return { severity, code: 'yaml_syntax', file, line: p.line, column: p.column, path: '', message: e.message };
  });

  /** Duplicate keys are found here rather than by the parser, so the rest of the file is still checked. */
  function findDuplicates(node: unknown, path: PathSegment[]): void {
    if (isSeq(node)) {
      node.items.forEach((item, i) => {
        findDuplicates(item, [...path, i]);
      });
    }
    if (!isMap(node)) return;
    const seen = new Map<string, Node>();
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const name = String(pair.key.value);
      const first = seen.get(name);
      if (first) {
        const at = startOf(pair.key) ?? { line: 1, column: 1 };
        const firstLine = startOf(first)?.line;
        syntaxIssues.push({
          severity: 'error',
          code: 'duplicate_field',
          file,
          ...at,
          path: formatPath([...path, name]),
          message: `"${name}" is set twice in the same mapping (first on line ${firstLine}); only this later value would be used`,
          hint: 'remove one of them',
        });
      } else seen.set(name, pair.key);
      findDuplicates(pair.value, [...path, name]);
    }
  }
  if (doc.errors.length === 0) findDuplicates(doc.contents, []);

  const data: unknown = doc.errors.length === 0 ? doc.toJS() : undefined;
  return { file, data, syntaxIssues, locate, issue };
}
