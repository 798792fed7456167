// `tollgate schema`: the JSON Schema editors use, generated from the zod schema and committed without drift.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tollgate } from './cli.js';

const COMMITTED = 'schema/policy-config.schema.json';

describe('tollgate schema', () => {
  it('prints a JSON Schema of the config that refuses unknown fields', async () => {
    const { code, stdout } = await tollgate(['schema']);
    expect(code).toBe(0);
    const schema = JSON.parse(stdout);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['providers']);
    const group = schema.properties.consumer_groups.items;
    expect(Object.keys(group.properties)).toEqual([
      'name',
      'api_key',
      'api_key_sha256',
      'rate_limits',
      'allowed_models',
      'shared',
    ]);
    expect(group.properties.rate_limits.properties.requests_per_minute).toMatchObject({
      type: 'integer',
      exclusiveMinimum: 0,
    });
  });

  it('matches the committed schema file', async () => {
    const { stdout } = await tollgate(['schema']);
    expect(
      readFileSync(join(ROOT, COMMITTED), 'utf8'),
      `${COMMITTED} is stale: run \`npm run build && node dist/src/cli/main.js schema > ${COMMITTED}\``,
    ).toBe(stdout);
  });

  it('is what the example config points yaml-language-server at', () => {
    const example = readFileSync(join(ROOT, 'policy-config.example.yaml'), 'utf8');
    expect(example.split('\n')[0]).toBe(`# yaml-language-server: $schema=./${COMMITTED}`);
  });
});
