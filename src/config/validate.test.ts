import { describe, expect, it } from 'vitest';
import { createTokenizer } from '../tokens/index.js';
import { loadConfigText } from './load.js';

const deps = { env: {}, tokenizer: createTokenizer(), now: () => 0 };
const findings = (yaml: string) =>
  loadConfigText('p.yaml', yaml, deps, { purpose: 'lint' }).issues.filter((i) => i.severity === 'error');

describe('discriminated sections', () => {
  it('names an unknown store type and suggests the closest', () => {
    const [issue] = findings('providers: {targets: [{id: m, provider: mock}]}\nstore:\n  type: redsi\n');
    expect(issue).toMatchObject({ code: 'unknown_type', line: 3, column: 9, message: 'unknown type "redsi"' });
    expect(issue?.hint).toContain('did you mean "redis"?');
  });

  it('suggests fields of the store type that was chosen, not of the first one', () => {
    const [issue] = findings(
      'providers: {targets: [{id: m, provider: mock}]}\nstore: {type: redis, url: "redis://x", key_prefx: a}\n',
    );
    expect(issue).toMatchObject({ code: 'unknown_field', hint: 'did you mean "key_prefix"?' });
  });

  it('names an unknown provider type', () => {
    const [issue] = findings('providers: {targets: [{id: b, provider: bedrok, region: us-west-2}]}\n');
    expect(issue).toMatchObject({ code: 'unknown_provider', message: 'unknown provider type "bedrok"' });
    expect(issue?.hint).toContain('did you mean "bedrock"?');
  });
});
