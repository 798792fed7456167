// `tollgate run` takes the same path as lint: the same findings, and it refuses to start on any error.
import { type AddressInfo, createServer } from 'node:net';
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

  it('refuses to start with a clear message, not a stack trace, when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const config = tempConfig(
        'providers:\n  targets: [{id: m, provider: mock}]\nstore: {type: memory, state_file: false}\n',
      );
      const { code, stderr } = await tollgate(['run', '--config', config, '--port', String(port)]);
      expect(code).toBe(1);
      expect(stderr).toContain(
        `tollgate: not starting: cannot listen on 127.0.0.1:${port}: the address is already in use`,
      );
      expect(stderr).not.toContain('    at ');
    } finally {
      taken.close();
    }
  });
});
