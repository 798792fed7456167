// Secrets never reach a client or a log: upstreams that echo the gateway's key (in a body that is not
// JSON, in a stream, in an error), a caller's key quoted back to it, and where an unreachable target is.
import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { SEED_ENV, UPSTREAM_KEY } from './helpers/configs.js';
import { gatewaysWith, hello, type TestGateway } from './helpers/gateway.js';
import { closedPort } from './helpers/local-upstream.js';
import { chunk } from './helpers/sse-upstream.js';
import { TEAM, TEAM_KEY, teamConfig } from './helpers/team.js';
import { completion, fakeOpenAI, type Received } from './helpers/upstream.js';

const upstream = fakeOpenAI();
const gateway = gatewaysWith(upstream);
const start = (yaml = teamConfig({ allowed_models: ['gpt-4o-mini'] })) => gateway(yaml, { env: SEED_ENV });

/** The request's headers as an upstream that echoes them would print them, on one line. */
const echo = (req: Received) => [...req.headers].map(([name, value]) => `${name}: ${value}`).join('; ');

/** The key, and pieces of it long enough to recognise: a key cut short is still a leak. */
const fragments = (key: string) => [key, key.slice(0, 10), key.slice(-10)];

async function seen(res: Response): Promise<string> {
  return `${JSON.stringify([...res.headers])}\n${await res.text()}`;
}

function expectNowhere(key: string, g: TestGateway, ...texts: string[]): void {
  for (const text of [...texts, g.logText()]) for (const piece of fragments(key)) expect(text).not.toContain(piece);
}

const sse = (...events: string[]) =>
  new HttpResponse(events.map((e) => `data: ${e}\n\n`).join(''), { headers: { 'content-type': 'text/event-stream' } });
const firstChunk = JSON.stringify(
  chunk([{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }]),
);

describe('an upstream that echoes the gateway key', () => {
  it.each([
    [
      'a 200 whose body is the request headers, not JSON',
      (req: Received) => new HttpResponse(echo(req), { status: 200, headers: { 'content-type': 'text/plain' } }),
      502,
      'upstream_malformed_response',
      /^Upstream openai sent a malformed event: .*authorization: Bearer \[redacted\]/,
    ],
    [
      'a 200 that is not JSON, with the key across the 200-character excerpt',
      () => new HttpResponse(`${'x'.repeat(190)}${UPSTREAM_KEY} and more`, { status: 200 }),
      502,
      'upstream_malformed_response',
      /x{190}\[redac/,
    ],
    [
      'a plain-text 500 that echoes the headers',
      (req: Received) => new HttpResponse(`upstream exploded: ${echo(req)}`, { status: 500 }),
      500,
      null,
      /^Upstream returned HTTP 500: upstream exploded: .*authorization: Bearer \[redacted\]/,
    ],
    [
      'a JSON error that quotes the key and the headers',
      () =>
        HttpResponse.json(
          {
            error: {
              message: `key ${UPSTREAM_KEY} lacks access`,
              type: 'invalid_request_error',
              headers: { authorization: `Bearer ${UPSTREAM_KEY}` },
            },
          },
          { status: 403 },
        ),
      403,
      null,
      /^key \[redacted\] lacks access$/,
    ],
  ])('masks it in %s', async (_, answer, status, code, message) => {
    const g = await start();
    upstream.answer(answer);
    const res = await g.post(hello(), TEAM);
    expect(res.status).toBe(status);
    const text = await seen(res);
    const body = JSON.parse(text.slice(text.indexOf('\n') + 1)) as { error: { message: string; code: string | null } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(message);
    expectNowhere(UPSTREAM_KEY, g, text);
    expect(g.logs.find((l) => l.msg === 'request')).toMatchObject({ status, outcome: 'upstream_error' });
  });

  it.each([
    ['an event that is not JSON but the request headers', (req: Received) => sse(firstChunk, echo(req))],
    [
      'an error event that quotes the key and the headers',
      (req: Received) =>
        sse(
          firstChunk,
          JSON.stringify({ error: { message: `bad key ${UPSTREAM_KEY}`, type: 'x', detail: echo(req) } }),
        ),
    ],
  ])('masks it in a stream with %s', async (_, answer) => {
    const g = await start();
    upstream.answer(answer);
    const res = await g.post({ ...hello(), stream: true }, TEAM);
    expect(res.status).toBe(200);
    const text = await seen(res);
    expect(text).toContain('"content":"Hi"');
    expect(text).toMatch(/data: \{"error":\{"message":"[^"]*\[redacted\]/);
    expectNowhere(UPSTREAM_KEY, g, text);
    await expect.poll(() => g.logs.find((l) => l.msg === 'request')).toMatchObject({ outcome: 'upstream_error' });
    expectNowhere(UPSTREAM_KEY, g);
  });
});

describe("the caller's own key", () => {
  it.each([
    ['X-Consumer-Group', TEAM],
    ['Authorization', { authorization: `Bearer ${TEAM_KEY}` }],
    ['apikey', { apikey: TEAM_KEY }],
  ])('is masked when a request sent in %s quotes it back (as its model)', async (_, headers) => {
    const g = await start();
    const res = await g.post(hello(TEAM_KEY), headers);
    expect(res.status).toBe(403);
    const text = await seen(res);
    expect(text).toContain('Model [redacted] is not allowed for consumer group: team');
    expectNowhere(TEAM_KEY, g, text);
    expect(g.logs.find((l) => l.msg === 'request')).toMatchObject({ model: '[redacted]', consumer_group: 'team' });
  });

  it.each([
    ['the key', TEAM_KEY],
    ['the key inside it', `trace-${TEAM_KEY}-1`],
  ])('is never taken as the request id (%s), which the gateway echoes and sends upstream', async (_, id) => {
    const g = await start();
    const res = await g.post(hello(), { ...TEAM, 'X-Request-Id': id });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(upstream.received[0]?.headers.get('x-request-id')).toBe(res.headers.get('x-request-id'));
    expectNowhere(TEAM_KEY, g, await seen(res));
  });

  it('still answers normally when nothing quotes a key', async () => {
    const g = await start();
    upstream.answer(() => HttpResponse.json(completion('The bearer of good news.', null)));
    const res = await g.post(hello(), TEAM);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toBe('The bearer of good news.');
  });
});

describe('an unreachable target', () => {
  it('is named to the client without its address; the log keeps the address', async () => {
    const port = await closedPort();
    const g = await start(teamConfig({ target: { base_url: `http://127.0.0.1:${port}/v1` } }));
    const res = await g.post(hello(), { ...TEAM, 'X-Request-Id': 'unreachable-1' });
    expect(res.status).toBe(502);
    const text = await seen(res);
    expect(JSON.parse(text.slice(text.indexOf('\n') + 1))).toEqual({
      error: {
        message: 'Upstream openai is unreachable.',
        type: 'upstream_error',
        param: null,
        code: 'upstream_unreachable',
      },
    });
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain(String(port));
    const line = g.logs.find((l) => l.msg === 'upstream unreachable');
    expect(line).toMatchObject({ level: 40, request_id: 'unreachable-1', target: 'openai' });
    expect(JSON.stringify(line)).toContain(`127.0.0.1:${port}`);
  });
});

describe("the secrets tollgate run passes beside the targets'", () => {
  it('masks the Redis password when an upstream error quotes it', async () => {
    const password = 'r3dis-Pa55word-0123';
    upstream.answer(() => new HttpResponse(`boom: could not use ${password}`, { status: 500 }));
    const g = await gateway(teamConfig({ allowed_models: ['gpt-4o-mini'] }), { env: SEED_ENV, secrets: [password] });
    const res = await g.post(hello(), TEAM);
    expect(res.status).toBe(500);
    const text = await seen(res);
    expect(text).toContain('[redacted]');
    expectNowhere(password, g, text);
  });
});
