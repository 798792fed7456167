// `tollgate lint` as CI runs it: clean configs pass with a summary, exit codes say what happened.
import { describe, expect, it } from 'vitest';
import { SEED_003, SEED_ENV } from '../helpers/configs.js';
import { FIXTURES, findingLines, tempConfig, tollgate } from './cli.js';

const EXAMPLE = 'policy-config.example.yaml';

describe('tollgate lint: clean configs', () => {
  it("passes seed 003's config and prints the seed's summary", async () => {
    const file = tempConfig(SEED_003);
    const { code, stdout, stderr } = await tollgate(['lint', file], { env: SEED_ENV });
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain(`${file}: OK`);
    expect(stdout).toContain('  Loaded 3 consumer group(s)\n');
    expect(stdout).toContain(
      '  Rate limits: engineering=60rpm/100k-tpm/2M-tpd, marketing=20rpm/50k-tpm/500k-tpd, data-science=40rpm/200k-tpm/5M-tpd\n',
    );
    expect(stdout).toContain('  Default rate limit: 10rpm/20k-tpm/100k-tpd\n');
    // What the seed does that tollgate advises against: keys in plain text, a policy it does not enforce.
    expect(findingLines(stdout).map((l) => l.match(/\[(\w+)\]$/)?.[1])).toEqual([
      'plaintext_key',
      'plaintext_key',
      'plaintext_key',
      'policy_not_enforced',
    ]);
    expect(stdout).not.toMatch(/: error: /);
  });

  it('only warns when a secret variable is unset, since CI rarely has production secrets', async () => {
    const file = tempConfig(SEED_003);
    const { code, stdout } = await tollgate(['lint', file]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      `${file}:8:14: warning: environment variable OPENAI_API_KEY is not set (needed by target "openai") (providers.targets[0].secret_key_ref.env) [target_setup]`,
    );
  });

  it('passes the example config', async () => {
    const { code, stdout } = await tollgate(['lint', EXAMPLE]);
    expect(code).toBe(0);
    expect(stdout).toContain(`${EXAMPLE}: OK (3 warnings)`);
  });

  it('checks several files in one run and fails if any has an error', async () => {
    const { code, stdout } = await tollgate(['lint', EXAMPLE, `${FIXTURES}/every-problem.yaml`]);
    expect(code).toBe(1);
    expect(stdout).toContain(`${EXAMPLE}: OK`);
    expect(stdout).toContain(`${FIXTURES}/every-problem.yaml: 11 errors`);
  });
});

describe('tollgate lint: exit codes', () => {
  it('--strict turns warnings into errors', async () => {
    const { code, stdout } = await tollgate(['lint', '--strict', EXAMPLE]);
    expect(code).toBe(1);
    expect(stdout).toContain(
      `${EXAMPLE}:26:14: error: the API key of consumer group "engineering" is stored in plain text`,
    );
    expect(stdout).toContain(`${EXAMPLE}: 3 errors, 0 warnings`);
  });

  it.each([
    ['a missing file', ['lint', EXAMPLE, 'no-such.yaml'], 'cannot read no-such.yaml: no such file'],
    ['no file', ['lint'], 'lint needs at least one FILE'],
    ['an unknown flag', ['lint', '--frmat', 'json', EXAMPLE], "Unknown option '--frmat'"],
    [
      'an unknown format',
      ['lint', '--format', 'xml', EXAMPLE],
      '--format must be one of text, json, github, got "xml"',
    ],
    ['--explain with github annotations', ['lint', '--explain', '--format', 'github', EXAMPLE], '--explain prints'],
  ])('exits 2 on a usage error: %s', async (_, args, message) => {
    const { code, stdout, stderr } = await tollgate(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
  });
});
