// Bodies built to break the gateway are 400s that cost nothing: nesting past the limit, counts no
// model can honour. Bodies at the limit still go through.
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/stores/memory.js';
import { SEED_ENV } from './helpers/configs.js';
import { usedBy } from './helpers/faults.js';
import { gatewaysWith, hello, type TestGateway } from './helpers/gateway.js';
import { TEAM, teamConfig } from './helpers/team.js';
import { fakeOpenAI } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const gateway = gatewaysWith(upstream);
const LIMITS = { requests_per_minute: 50, tokens_per_minute: 1_000_000, tokens_per_day: 5_000_000 };
const NOTHING = { requests_per_minute: 0, tokens_per_minute: 0, tokens_per_day: 0 };

let store = new MemoryStore();
async function start(): Promise<TestGateway> {
  store = new MemoryStore();
  return gateway(teamConfig({ limits: LIMITS }), { env: SEED_ENV, store });
}

/** `depth` arrays inside one another, as JSON text. */
const arrays = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
/** A tool whose JSON schema nests `depth` objects deep, as JSON text (too deep for JSON.stringify). */
function deepTool(depth: number): string {
  const schema = `${'{"type":"object","properties":{"x":'.repeat(depth)}{"type":"string"}${'}}'.repeat(depth)}`;
  return `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${schema}}}]}`;
}

async function expectRefused(res: Response, param: string | null, code: string): Promise<string> {
  expect(res.status).toBe(400);
  const { error } = (await res.json()) as {
    error: { type: string; param: string | null; code: string; message: string };
  };
  expect(error).toMatchObject({ type: 'invalid_request_error', param, code });
  return error.message;
}

describe('nesting', () => {
  it('refuses a body nested 10,000 levels deep with 400 nesting_too_deep, naming the limit, and reserves nothing', async () => {
    const g = await start();
    // max_tokens above the allowance makes the gateway re-serialise the body for the upstream.
    const body = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"max_tokens":900000,"metadata":${arrays(10_000)}}`;
    const message = await expectRefused(await g.post(body, TEAM), null, 'nesting_too_deep');
    expect(message).toContain('64 levels');
    expect(store.openCount).toBe(0);
    expect(await usedBy(g)).toEqual(NOTHING);
    expect(upstream.received).toHaveLength(0);
    expect((await g.post(hello(), TEAM)).status).toBe(200);
  });

  it('refuses tools whose schema nests 10,000 levels deep', async () => {
    const g = await start();
    const res = await g.post(deepTool(5_000), TEAM);
    await expectRefused(res, null, 'nesting_too_deep');
    expect(store.openCount).toBe(0);
    expect(await usedBy(g)).toEqual(NOTHING);
  });

  it('answers a body exactly 64 levels deep, and refuses one 65 deep', async () => {
    const g = await start();
    // The body object is level 1: 63 arrays inside it make 64.
    const at = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"metadata":${arrays(63)}}`;
    expect((await g.post(at, TEAM)).status).toBe(200);
    const over = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"metadata":${arrays(64)}}`;
    await expectRefused(await g.post(over, TEAM), null, 'nesting_too_deep');
  });

  it('does not count brackets inside strings', async () => {
    const g = await start();
    const res = await g.post(hello('gpt-4o-mini', `${'['.repeat(10_000)}"\\"{{{`), TEAM);
    expect(res.status).toBe(200);
  });
});

describe('absurd numbers', () => {
  it.each([
    ['n', { n: 129 }, 'invalid_value'],
    ['n', { n: 1_000_000_000 }, 'invalid_value'],
    ['max_tokens', { max_tokens: 1_000_001 }, 'invalid_value'],
    ['max_completion_tokens', { max_completion_tokens: 1e15 }, 'invalid_value'],
    ['max_tokens', { max_tokens: 2 ** 60 }, 'invalid_value'],
    ['max_tokens', { max_tokens: 1.5 }, 'invalid_type'],
    ['max_tokens', { max_tokens: 0 }, 'invalid_value'],
    ['n', { n: -1 }, 'invalid_value'],
    ['n', { n: 2.5 }, 'invalid_type'],
  ])('refuses %s in %j with 400 (not 429), naming the field, at no cost', async (param, extra, code) => {
    const g = await start();
    const message = await expectRefused(await g.post({ ...hello(), ...extra }, TEAM), param, code);
    expect(message).toContain(`'${param}'`);
    expect(await usedBy(g)).toEqual(NOTHING);
  });

  it('refuses a count that JSON.parse turns into Infinity', async () => {
    const g = await start();
    const body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"max_tokens":1e400}';
    await expectRefused(await g.post(body, TEAM), 'max_tokens', 'invalid_type');
  });

  it('says what the ceiling is', async () => {
    const g = await start();
    expect(await expectRefused(await g.post({ ...hello(), n: 129 }, TEAM), 'n', 'invalid_value')).toBe(
      "Invalid value for 'n': at most 128, as at OpenAI.",
    );
    const res = await g.post({ ...hello(), max_tokens: 1_000_001 }, TEAM);
    expect(await expectRefused(res, 'max_tokens', 'invalid_value')).toBe(
      "Invalid value for 'max_tokens': at most 1000000 (no model produces more tokens in one answer).",
    );
  });

  it('still answers n = 128 and max_tokens = 1,000,000', async () => {
    const g = await start();
    expect((await g.post({ ...hello(), n: 128, max_tokens: 100 }, TEAM)).status).toBe(200);
    expect((await g.post({ ...hello(), max_tokens: 1_000_000 }, TEAM)).status).toBe(200);
  });
});
