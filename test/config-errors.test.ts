// Start-up errors a platform team meets first: a provider key missing from the environment.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatIssue } from '../src/config/issues.js';
import { loadConfigText } from '../src/config/load.js';
import { SEED_003, SEED_ENV } from './helpers/configs.js';
import { tokenizer } from './helpers/gateway.js';
import { UPSTREAM } from './helpers/upstream.js';

const load = (text: string, env: Record<string, string>) =>
  loadConfigText('policy-config.yaml', text, { env, tokenizer, now: () => 0 });

describe('secret_key_ref at start-up', () => {
  it('is an error naming the variable and the target, at the line and column of the reference', () => {
    const result = load(SEED_003, {});
    expect(result.runtime).toBeUndefined();
    const errors = result.issues.filter((i) => i.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      file: 'policy-config.yaml',
      line: 8,
      column: 14,
      path: 'providers.targets[0].secret_key_ref.env',
      message: 'environment variable OPENAI_API_KEY is not set (needed by target "openai")',
    });
    expect(formatIssue(errors[0]!)).toMatch(
      /^policy-config\.yaml:8:14: error: environment variable OPENAI_API_KEY is not set \(needed by target "openai"\)/,
    );
  });

  it('reports every target whose variable is missing, not only the first', () => {
    const text = stringify({
      providers: {
        targets: [
          {
            id: 'primary',
            provider: 'openai',
            base_url: UPSTREAM,
            models: ['gpt-4o*'],
            secret_key_ref: { env: 'PRIMARY_KEY' },
          },
          { id: 'backup', provider: 'openai', base_url: UPSTREAM, secret_key_ref: { env: 'BACKUP_KEY' } },
        ],
      },
    });
    const lineOf = (s: string) => text.split('\n').findIndex((l) => l.includes(s)) + 1;
    const errors = load(text, {}).issues.filter((i) => i.severity === 'error');
    expect(errors.map((e) => [e.path, e.line, e.message])).toEqual([
      [
        'providers.targets[0].secret_key_ref.env',
        lineOf('env: PRIMARY_KEY'),
        'environment variable PRIMARY_KEY is not set (needed by target "primary")',
      ],
      [
        'providers.targets[1].secret_key_ref.env',
        lineOf('env: BACKUP_KEY'),
        'environment variable BACKUP_KEY is not set (needed by target "backup")',
      ],
    ]);
  });

  it('loads when the variable is set', () => {
    const result = load(SEED_003, SEED_ENV);
    expect(result.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(result.runtime?.targets.map((t) => t.id)).toEqual(['openai']);
  });

  it('treats an empty variable as missing', () => {
    const result = load(SEED_003, { OPENAI_API_KEY: '' });
    expect(result.runtime).toBeUndefined();
    expect(result.issues.find((i) => i.severity === 'error')?.message).toContain('OPENAI_API_KEY');
  });
});
