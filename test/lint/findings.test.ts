// Every error and warning `tollgate lint` knows, each at its line and column, all reported in one run.
import { describe, expect, it } from 'vitest';
import { FIXTURES, tempConfig, tollgate } from './cli.js';

const EVERY = `${FIXTURES}/every-problem.yaml`;
/** Broken YAML is written at test time: as a committed file it would fail the repository's own Biome check. */
const BROKEN_YAML = `version: "1"
providers:
  targets:
    - id: mock
      provider: mock
      models: [gpt-4o-mini
consumer_groups:
  - name: "engineering
`;

/** [line:column, severity, code, config path, part of the message or hint]: the fixture's comments say why. */
const EXPECTED: ReadonlyArray<readonly [string, string, string, string, string]> = [
  ['8:14', 'warning', 'target_setup', 'providers.targets[0].secret_key_ref.env', 'TOLLGATE_LINT_TEST_UNSET is not set'],
  ['11:17', 'error', 'unknown_provider', 'providers.targets[1].provider', 'did you mean "openai"?'],
  ['15:14', 'warning', 'plaintext_key', 'consumer_groups[0].api_key', 'api_key_sha256: 13fec53a076f2b02'],
  ['16:5', 'error', 'unknown_field', 'consumer_groups[0].allowed_modles', 'did you mean "allowed_models"?'],
  [
    '18:28',
    'error',
    'wrong_type',
    'consumer_groups[0].rate_limits.requests_per_minute',
    'expected number, got "sixty"',
  ],
  [
    '19:26',
    'error',
    'not_positive',
    'consumer_groups[0].rate_limits.tokens_per_minute',
    'must be greater than 0, got 0',
  ],
  ['20:23', 'error', 'not_integer', 'consumer_groups[0].rate_limits.tokens_per_day', 'must be a whole number, got 1.5'],
  [
    '22:21',
    'error',
    'duplicate_api_key',
    'consumer_groups[1].api_key_sha256',
    'already used by consumer group "engineering"',
  ],
  [
    '23:35',
    'error',
    'model_not_served',
    'consumer_groups[1].allowed_models[1]',
    '"claude-3-opus" is allowed but no provider target serves it',
  ],
  [
    '25:26',
    'error',
    'limit_below_smallest_request',
    'consumer_groups[1].rate_limits.tokens_per_minute',
    'smaller than the smallest request',
  ],
  [
    '26:11',
    'error',
    'duplicate_group',
    'consumer_groups[2].name',
    '"Engineering" is already used by consumer_groups[0]',
  ],
  ['27:14', 'warning', 'weak_key', 'consumer_groups[2].api_key', 'only 6 characters long'],
  ['27:14', 'warning', 'plaintext_key', 'consumer_groups[2].api_key', 'stored in plain text'],
  [
    '29:26',
    'warning',
    'minute_above_day',
    'consumer_groups[2].rate_limits.tokens_per_minute',
    'greater than tokens_per_day 200000',
  ],
  ['32:14', 'warning', 'weak_key', 'consumer_groups[3].api_key', 'low entropy'],
  ['32:14', 'warning', 'plaintext_key', 'consumer_groups[3].api_key', 'stored in plain text'],
  [
    '36:7',
    'error',
    'duplicate_field',
    'consumer_groups[3].rate_limits.requests_per_minute',
    'set twice in the same mapping (first on line 34)',
  ],
  [
    '36:28',
    'warning',
    'requests_limit_never_binds',
    'consumer_groups[3].rate_limits.requests_per_minute',
    'is 41× tokens_per_minute 100000',
  ],
  ['37:11', 'warning', 'group_without_limits', 'consumer_groups[4].name', '"interns" has no limits at all'],
  ['42:14', 'error', 'instances_without_shared_store', 'deployment.instances', 'admit up to 3× every limit'],
  ['45:11', 'warning', 'policy_not_enforced', 'policies[0].type', 'not enforced'],
];

interface Finding {
  file: string;
  line: number;
  column: number;
  severity: string;
  code: string;
  path: string;
  message: string;
  hint?: string;
}

describe('tollgate lint: findings', () => {
  it('reports every error and warning of a file at its line and column, in one run', async () => {
    const { code, stdout } = await tollgate(['lint', '--format', 'json', EVERY]);
    expect(code).toBe(1);
    const findings = (JSON.parse(stdout) as { findings: Finding[] }).findings;
    const got = findings.map((f) => [`${f.line}:${f.column}`, f.severity, f.code, f.path]);
    expect(got).toEqual(EXPECTED.map(([at, severity, c, path]) => [at, severity, c, path]));
    findings.forEach((f, i) => {
      expect(`${f.message} ${f.hint ?? ''}`).toContain(EXPECTED[i]![4]);
    });
  });

  it('prints each finding as file:line:col with the config path, code and hint', async () => {
    const { stdout } = await tollgate(['lint', EVERY]);
    expect(stdout).toContain(
      `${EVERY}:16:5: error: unknown field "allowed_modles" (consumer_groups[0].allowed_modles) [unknown_field]\n  hint: did you mean "allowed_models"?`,
    );
    expect(stdout).toContain(`${EVERY}: 11 errors, 10 warnings`);
  });

  it('reports YAML syntax errors with their position, alongside other files in the same run', async () => {
    const SYNTAX = tempConfig(BROKEN_YAML, 'syntax-error.yaml');
    const { code, stdout } = await tollgate(['lint', SYNTAX, EVERY]);
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`^${SYNTAX}:7:1: error: Flow sequence .* \\[yaml_syntax\\]$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^${SYNTAX}:9:1: error: Missing closing "quote \\[yaml_syntax\\]$`, 'm'));
    expect(stdout).toContain(`${EVERY}: 11 errors`);
    expect(stdout).toContain('2 files checked: 13 errors, 10 warnings');
  });
});
