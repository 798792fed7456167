// Model name patterns: exact names or globs (`gpt-4o*`), compiled once, matched per request.
export interface ModelMatcher {
  /** The patterns as written, for listing and messages. */
  readonly patterns: readonly string[];
  /** Exact names among the patterns (no glob characters), in config order. */
  readonly names: readonly string[];
  matches(model: string): boolean;
}

export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

export function compileModels(patterns: readonly string[]): ModelMatcher {
  const names = patterns.filter((p) => !isGlob(p));
  const exact = new Set(names);
  const globs = patterns.filter(isGlob).map(globToRegExp);
  return {
    patterns,
    names,
    matches: (model) => exact.has(model) || globs.some((re) => re.test(model)),
  };
}

/** Whether two pattern sets can match a common model (used to check that a model is served). */
export function overlaps(pattern: string, served: ModelMatcher): boolean {
  if (!isGlob(pattern)) return served.matches(pattern);
  const mine = globToRegExp(pattern);
  if (served.names.some((n) => mine.test(n))) return true;
  // Two globs overlap when their literal prefixes are compatible: a sound, cheap approximation.
  const prefix = (p: string) => p.split(/[*?]/)[0] ?? '';
  const a = prefix(pattern);
  return served.patterns.filter(isGlob).some((p) => {
    const b = prefix(p);
    return a.startsWith(b) || b.startsWith(a);
  });
}
