// Which target serves a model (first that lists it, else the first with no list), model_not_found,
// and GET /v1/models listing what the caller may use.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { SEED_ENV } from './helpers/configs.js';
import { gatewaysWith, hello, type TestGateway } from './helpers/gateway.js';
import { fakeOpenAI, UPSTREAM } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const WIDE = 'kt_wide_key_0001';
const NARROW = 'kt_narrow_key_0002';
const GLOBBED = 'kt_globbed_key_0003';

const openai = { provider: 'openai', base_url: UPSTREAM, secret_key_ref: { env: 'OPENAI_API_KEY' } };

const GROUPS = [
  { name: 'wide', api_key: WIDE },
  { name: 'narrow', api_key: NARROW, allowed_models: ['gpt-4o-mini', 'o3'] },
  { name: 'globbed', api_key: GLOBBED, allowed_models: ['gpt-4o*', 'o3'] },
];

function config(targets: ReadonlyArray<Record<string, unknown>>, groups = GROUPS): string {
  return stringify({
    providers: { targets },
    consumer_groups: groups,
    rate_limit_defaults: { requests_per_minute: 100 },
  });
}

/** mini: listed by name; four: a glob that also matches gpt-4o-mini; rest: no list; late: never reached. */
const ROUTED = config([
  { id: 'mini', provider: 'mock', models: ['gpt-4o-mini'], reply: 'from mini' },
  { id: 'four', ...openai, models: ['gpt-4o*'] },
  { id: 'rest', provider: 'mock', reply: 'from rest' },
  { id: 'late', provider: 'mock', reply: 'from late' },
]);

const gateway = gatewaysWith(upstream);
const start = (yaml: string): Promise<TestGateway> => gateway(yaml, { env: SEED_ENV });

async function answerFor(g: TestGateway, model: string): Promise<string | null | undefined> {
  const res = await g.client(WIDE).chat.completions.create(hello(model));
  return res.choices[0]?.message.content;
}

describe('routing a model to a target', () => {
  it('sends a model to the first target that lists it, even when a later glob also matches', async () => {
    const g = await start(ROUTED);
    expect(await answerFor(g, 'gpt-4o-mini')).toBe('from mini');
    expect(upstream.received).toHaveLength(0);
  });

  it('matches globs such as gpt-4o*', async () => {
    const g = await start(ROUTED);
    expect(await answerFor(g, 'gpt-4o-2024-08-06')).toBe('Hi there!');
    expect(await answerFor(g, 'gpt-4o')).toBe('Hi there!');
    expect(upstream.received.map((r) => r.body.model)).toEqual(['gpt-4o-2024-08-06', 'gpt-4o']);
  });

  it('sends a model no target lists to the first target with no list', async () => {
    const g = await start(ROUTED);
    expect(await answerFor(g, 'o3')).toBe('from rest');
    expect(await answerFor(g, 'gpt-4')).toBe('from rest');
  });

  it('returns 404 model_not_found when no target serves the model, and charges nothing', async () => {
    const g = await start(
      config(
        [
          { id: 'mini', provider: 'mock', models: ['gpt-4o-mini'] },
          { id: 'four', ...openai, models: ['gpt-4o*'] },
        ],
        [{ name: 'wide', api_key: WIDE }],
      ),
    );
    const res = await g.post(hello('claude-3-opus'), { Authorization: `Bearer ${WIDE}` });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        message: 'The model `claude-3-opus` does not exist or no provider target serves it.',
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
    expect(res.headers.get('X-RateLimit-Remaining-Requests')).toBe('100');
    const ok = await g.post(hello(), { Authorization: `Bearer ${WIDE}` });
    expect(ok.headers.get('X-RateLimit-Remaining-Requests')).toBe('99');
  });
});

describe('GET /v1/models', () => {
  const CREATED = Math.floor(Date.UTC(2026, 3, 23, 10, 30, 0) / 1000);
  const model = (id: string, owned_by: string) => ({ id, object: 'model', created: CREATED, owned_by });

  it("lists the targets' named models in OpenAI's list shape for a group that may use any model", async () => {
    const g = await start(ROUTED);
    const res = await fetch(`${g.url}/v1/models`, { headers: { Authorization: `Bearer ${WIDE}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ object: 'list', data: [model('gpt-4o-mini', 'mini')] });
  });

  it("lists only the group's allowed models, each with the target that serves it", async () => {
    const g = await start(ROUTED);
    const ids: string[][] = [];
    for await (const m of g.client(NARROW).models.list()) ids.push([m.id, m.owned_by]);
    expect(ids).toEqual([
      ['gpt-4o-mini', 'mini'],
      ['o3', 'rest'],
    ]);
  });

  it("lists target names that match a group's glob, but not the glob itself", async () => {
    const g = await start(ROUTED);
    const res = await fetch(`${g.url}/v1/models`, { headers: { 'X-Consumer-Group': GLOBBED } });
    expect(await res.json()).toEqual({ object: 'list', data: [model('gpt-4o-mini', 'mini'), model('o3', 'rest')] });
  });
});
