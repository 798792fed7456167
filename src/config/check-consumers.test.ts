import { describe, expect, it } from 'vitest';
import { createTokenizer } from '../tokens/index.js';
import { loadConfigText } from './load.js';

const deps = { env: {}, tokenizer: createTokenizer(), now: () => 0 };

const CONFIG = `providers:
  targets:
    - id: bedrock
      provider: mock
consumer_groups:
  - name: gold
    rate_limits:
      windows:
        - seconds: 60
          tokens: 500
          provider: bedrok
consumers:
  - username: ann
    api_key_sha256: ${'a'.repeat(64)}
    groups: [gold, silvr]
  - username: ANN
    api_key_sha256: ${'a'.repeat(64)}
routes:
  - path: /bedrock-route
    target: bedrock
  - path: /v1/bedrock
    target: bedrck
  - path: /bedrock-route
    target: bedrock
`;

describe('reference checks', () => {
  it('reports unknown groups, window providers and route targets, reserved and duplicate paths, at their place', () => {
    const { issues } = loadConfigText('p.yaml', CONFIG, deps, { purpose: 'lint' });
    const errors = issues
      .filter((i) => i.severity === 'error')
      .map((i) => [`${i.line}:${i.column}`, i.code, i.hint ?? ''])
      .sort();
    expect(errors).toEqual(
      [
        ['11:21', 'unknown_window_provider', 'did you mean "bedrock"?'],
        ['15:20', 'unknown_group', 'known: gold'],
        ['16:15', 'duplicate_consumer', 'each consumer username must be unique (compared without case)'],
        ['17:21', 'duplicate_api_key', expect.stringContaining('consumers[0]')],
        ['21:11', 'reserved_route', expect.stringContaining('outside /v1')],
        ['22:13', 'unknown_route_target', 'did you mean "bedrock"?'],
        ['23:11', 'duplicate_route', ''],
      ].sort(),
    );
  });

  it('reserves /readyz, which the gateway serves itself', () => {
    const yaml = 'providers: {targets: [{id: m, provider: mock}]}\nroutes: [{path: /readyz, target: m}]\n';
    const { issues } = loadConfigText('p.yaml', yaml, deps, { purpose: 'lint' });
    expect(issues.filter((i) => i.severity === 'error').map((i) => i.code)).toEqual(['reserved_route']);
  });

  it('reports a window given twice, and accepts the same size as a fixed and a sliding window', () => {
    const { issues } = loadConfigText(
      'p.yaml',
      `providers: {targets: [{id: m, provider: mock}]}
rate_limit_defaults:
  windows:
    - {seconds: 60, requests: 3}
    - {seconds: 60, requests: 5, window_type: fixed}
    - {seconds: 60, requests: 9}
`,
      deps,
      { purpose: 'lint' },
    );
    expect(issues.filter((i) => i.code === 'duplicate_window').map((i) => `${i.line}:${i.column}`)).toEqual(['6:7']);
  });

  it('accepts a group without a key when consumers use it', () => {
    const { issues } = loadConfigText(
      'p.yaml',
      `providers: {targets: [{id: m, provider: mock}]}
consumer_groups: [{name: gold, rate_limits: {requests_per_minute: 5}}]
consumers: [{username: ann, api_key_sha256: "${'b'.repeat(64)}", groups: [gold]}]
`,
      deps,
      { purpose: 'lint' },
    );
    expect(issues.filter((i) => i.code.endsWith('without_key'))).toEqual([]);
  });
});
