// Bad requests get OpenAI-shaped 400/404/413 errors naming what is wrong, cost nothing, and the gateway keeps serving.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SEED_ENV } from './helpers/configs.js';
import { hello, startGateway, type TestGateway } from './helpers/gateway.js';
import { num, TEAM, teamConfig } from './helpers/team.js';
import { fakeOpenAI } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const MAX_BODY = 2048;
let gw: TestGateway;

beforeAll(async () => {
  upstream.listen();
  gw = await startGateway(teamConfig({ server: { max_body_bytes: MAX_BODY } }), { env: SEED_ENV });
});
afterAll(async () => {
  await gw.close();
  upstream.close();
});
afterEach(() => upstream.reset());

/** After every bad request: nothing reached upstream, and a good request still succeeds. */
async function expectStillServing(): Promise<void> {
  expect(upstream.received).toHaveLength(0);
  const ok = await gw.post(hello(), TEAM);
  expect(ok.status).toBe(200);
}

const invalid = (message: string, param: string | null, code: string | null) => ({
  error: { message, type: 'invalid_request_error', param, code },
});

describe('bad request bodies', () => {
  it('returns 400 invalid_json for a body that is not JSON', async () => {
    const res = await gw.post('{"model": "gpt-4o-mini", "messages": [', TEAM);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(
      invalid(
        'We could not parse the JSON body of your request. Send valid JSON with Content-Type: application/json.',
        null,
        'invalid_json',
      ),
    );
    await expectStillServing();
  });

  it('returns 400 for an empty body and for JSON that is not an object', async () => {
    for (const body of ['', '[1,2]', '"text"', 'null']) {
      const res = await gw.post(body, TEAM);
      expect(res.status, body).toBe(400);
      const { error } = (await res.json()) as { error: { type: string; code: string } };
      expect(error.type).toBe('invalid_request_error');
      expect(error.code).toBe('invalid_json');
    }
    await expectStillServing();
  });

  it.each([
    ['model', { messages: [{ role: 'user', content: 'Hi' }] }],
    ['messages', { model: 'gpt-4o-mini' }],
  ])('returns 400 missing_required_parameter naming %s when it is absent', async (param, body) => {
    const res = await gw.post(body, TEAM);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(
      invalid(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter'),
    );
  });

  it.each([
    ['model', { model: 42, messages: [{ role: 'user', content: 'Hi' }] }, 'invalid_type'],
    ['messages', { model: 'gpt-4o-mini', messages: 'Hi' }, 'invalid_type'],
    ['messages', { model: 'gpt-4o-mini', messages: [] }, 'invalid_value'],
    ['messages[0].role', { model: 'gpt-4o-mini', messages: [{ role: 'robot', content: 'Hi' }] }, 'invalid_value'],
    [
      'messages[1].content',
      {
        model: 'gpt-4o-mini',
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'user', content: 7 },
        ],
      },
      'invalid_type',
    ],
    ['max_tokens', { ...hello(), max_tokens: -1 }, 'invalid_value'],
    ['max_completion_tokens', { ...hello(), max_completion_tokens: 'ten' }, 'invalid_type'],
    ['stream', { ...hello(), stream: 'yes' }, 'invalid_type'],
  ])('returns 400 naming %s when it has the wrong type or value', async (param, body, code) => {
    const res = await gw.post(body, TEAM);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: Record<string, unknown> };
    expect(error).toMatchObject({ type: 'invalid_request_error', param, code });
    expect(error.message).toContain(`'${param}'`);
  });

  it('refuses a model name longer than 256 characters, naming the field', async () => {
    const res = await gw.post({ ...hello(), model: 'm'.repeat(300) }, TEAM);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe('model');
    await expectStillServing();
  });

  it('charges nothing for a rejected body', async () => {
    await gw.post('{', TEAM);
    await gw.post({ model: 'gpt-4o-mini' }, TEAM);
    const fresh = await startGateway(teamConfig(), { env: SEED_ENV });
    try {
      await fresh.post('{', TEAM);
      await fresh.post({ model: 'gpt-4o-mini' }, TEAM);
      const ok = await fresh.post(hello(), TEAM);
      expect(num(ok, 'X-RateLimit-Remaining-Requests')).toBe(99);
      expect(num(ok, 'X-RateLimit-Remaining-Tokens')).toBe(100_000 - 150);
    } finally {
      await fresh.close();
    }
  });
});

describe('body size limit', () => {
  /** A valid chat request whose JSON text is exactly `bytes` long. */
  const bodyOf = (bytes: number): string => {
    const empty = JSON.stringify(hello('gpt-4o-mini', ''));
    return JSON.stringify(hello('gpt-4o-mini', 'x'.repeat(bytes - empty.length)));
  };

  it('accepts a body of exactly server.max_body_bytes', async () => {
    const body = bodyOf(MAX_BODY);
    expect(Buffer.byteLength(body)).toBe(MAX_BODY);
    expect((await gw.post(body, TEAM)).status).toBe(200);
  });

  it('returns 413 request_too_large for a body one byte over server.max_body_bytes', async () => {
    const res = await gw.post(bodyOf(MAX_BODY + 1), TEAM);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(
      invalid(`The request body is larger than the gateway's limit of ${MAX_BODY} bytes.`, null, 'request_too_large'),
    );
    expect(res.headers.get('x-request-id')).toBeTruthy();
    await expectStillServing();
  });

  it('returns 413 for an oversized body sent chunked, without a Content-Length', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${gw.url}/v1/chat/completions`,
        { method: 'POST', headers: { 'content-type': 'application/json', ...TEAM } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      const body = bodyOf(MAX_BODY * 4);
      for (let i = 0; i < body.length; i += 512) req.write(body.slice(i, i + 512));
      req.end();
    });
    expect(status).toBe(413);
    await expectStillServing();
  });
});

describe('routes', () => {
  it.each([
    ['GET', '/v1/nope'],
    ['POST', '/v1/completions'],
    ['GET', '/'],
  ])('returns an OpenAI-shaped 404 for %s %s', async (method, path) => {
    const res = await fetch(`${gw.url}${path}`, { method, headers: TEAM });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(invalid(`Unknown request URL: ${method} ${path}.`, null, 'unknown_url'));
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers GET /healthz with 200 ok', async () => {
    const res = await fetch(`${gw.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });
});
