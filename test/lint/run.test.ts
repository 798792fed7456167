// `tollgate run` takes the same path as lint: the same findings, and it refuses to start on any error.
import { describe, expect, it } from 'vitest';
import { SEED_003 } from '../helpers/configs.js';
import { FIXTURES, findingLines, tempConfig, tollgate } from './cli.js';

describe('tollgate run: the same checks as lint', () => {
  it('refuses to start on errors, printing the same findings lint prints', async () => {
    const file = `${FIXTURES}/every-problem.yaml`;
    const [run, lint] = await Promise.all([tollgate(['run', '--config', file]), tollgate(['lint', file])]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`tollgate: not starting: ${file} has errors`);
    // An unset secret is only a warning to lint; run cannot start without it.
    const expected = findingLines(lint.stdout).map((l) =>
      l.includes('[target_setup]') ? l.replace(': warning: ', ': error: ') : l,
    );
    expect(findingLines(run.stderr)).toEqual(expected);
  });

  it('refuses to start when a secret variable is unset', async () => {
    const { code, stderr } = await tollgate(['run', '--config', tempConfig(SEED_003), '--port', '0']);
    expect(code).toBe(1);
    expect(stderr).toContain(
      ':8:14: error: environment variable OPENAI_API_KEY is not set (needed by target "openai") (providers.targets[0].secret_key_ref.env) [target_setup]',
    );
  });
});
