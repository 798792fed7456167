// `--format json` for tools and `--format github` for Actions annotations carry the same findings.
import { describe, expect, it } from 'vitest';
import { FIXTURES, tollgate } from './cli.js';

const EVERY = `${FIXTURES}/every-problem.yaml`;

describe('tollgate lint: output formats', () => {
  it('--format json prints one parseable document with counts and every finding', async () => {
    const { code, stdout } = await tollgate(['lint', '--format', 'json', EVERY, 'policy-config.example.yaml']);
    expect(code).toBe(1);
    const out = JSON.parse(stdout);
    expect(out).toMatchObject({ ok: false, errors: 11, warnings: 13 });
    expect(out.files).toEqual([
      { file: EVERY, ok: false, errors: 11, warnings: 10 },
      { file: 'policy-config.example.yaml', ok: true, errors: 0, warnings: 3 },
    ]);
    expect(out.findings[1]).toEqual({
      severity: 'error',
      code: 'unknown_provider',
      file: EVERY,
      line: 11,
      column: 17,
      path: 'providers.targets[1].provider',
      message: 'unknown provider type "opneai"',
      hint: expect.stringMatching(/^did you mean "openai"\? \(one of: .*\bmock\b.*\)$/),
    });
  });

  it('--format github prints one workflow annotation per finding, escaped', async () => {
    const { code, stdout } = await tollgate(['lint', '--format', 'github', EVERY]);
    expect(code).toBe(1);
    const annotations = stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations).toHaveLength(21);
    for (const a of annotations) {
      expect(a).toMatch(/^::(error|warning) file=[^,:]+,line=\d+,col=\d+,title=tollgate lint%3A \w+::[^\n]+$/);
    }
    expect(annotations).toContain(
      `::error file=${EVERY},line=16,col=5,title=tollgate lint%3A unknown_field::unknown field "allowed_modles" (consumer_groups[0].allowed_modles)%0Ahint: did you mean "allowed_models"?`,
    );
    expect(annotations.filter((a) => a.startsWith('::warning'))).toHaveLength(10);
  });
});
