// Every `tollgate` command and subcommand answers --help, and `run` refuses an unknown log level.
import { describe, expect, it } from 'vitest';
import { SEED_003, SEED_ENV } from './helpers/configs.js';
import { tempConfig, tollgate } from './lint/cli.js';

describe('tollgate --help', () => {
  it.each([
    [['--help'], 'tollgate gateway run --policy-config'],
    [['run', '--help'], '--log-level'],
    [['gateway', 'run', '--help'], '--policy-config FILE'],
    [['gateway', '--help'], '--policy-config FILE'],
    [['lint', '--help'], '--strict'],
    [['policy', 'lint', '--help'], '--file FILE'],
    [['key', '--help'], 'tollgate key new'],
    [['key', 'hash', '--help'], 'tollgate key hash'],
    [['schema', '--help'], 'JSON Schema'],
    [['events', '--help'], '--status S'],
    [['events', 'tail', '--help'], '--last N'],
  ])('%j prints its usage and exits 0', async (args, text) => {
    const { code, stdout } = await tollgate(args);
    expect(code).toBe(0);
    expect(stdout).toContain(text);
  });

  it('run refuses an unknown --log-level with a one-line reason', async () => {
    const { code, stderr } = await tollgate(['run', '--config', tempConfig(SEED_003), '--log-level', 'loud'], {
      env: SEED_ENV,
    });
    expect(code).toBe(1);
    expect(stderr).toContain('log level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"');
  });
});
