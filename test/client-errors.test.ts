// Requests Node's parser refuses (oversized headers, broken HTTP) still get OpenAI's JSON error body.
import { connect } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SEED_ENV } from './helpers/configs.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { TEAM_KEY, teamConfig } from './helpers/team.js';

let g: TestGateway;
beforeAll(async () => {
  g = await startGateway(teamConfig(), { env: SEED_ENV });
});
afterAll(() => g.close());

/** Sends raw bytes and reads everything the gateway answers until it closes the connection. */
function exchange(raw: string): Promise<{ head: string; body: string }> {
  const { port } = new URL(g.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => {
      answer += d.toString();
    });
    socket.on('close', () => {
      const at = answer.indexOf('\r\n\r\n');
      resolve({ head: answer.slice(0, at), body: answer.slice(at + 4) });
    });
    // The gateway may close while the rest is still on its way: what it answered is what counts.
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    socket.write(raw);
  });
}

const request = (headers: string) =>
  `POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n${headers}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;

it('answers headers larger than Node accepts with a 431 in JSON, like every other error', async () => {
  const { head, body } = await exchange(request(`X-Padding: ${'a'.repeat(20_000)}\r\n`));
  expect(head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  expect(head.toLowerCase()).toContain('content-type: application/json');
  expect(head.toLowerCase()).toMatch(/x-request-id: [0-9a-f-]{36}/);
  expect(JSON.parse(body)).toEqual({
    error: {
      message: "The request's headers are larger than the 16384 bytes the gateway accepts.",
      type: 'invalid_request_error',
      param: null,
      code: 'request_header_fields_too_large',
    },
  });
});

it('answers a request that is not HTTP with a 400 in JSON', async () => {
  const { head, body } = await exchange('HELLO THERE\r\n\r\n');
  expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  expect(JSON.parse(body)).toMatchObject({ error: { type: 'invalid_request_error', code: 'bad_request' } });
});

it('gives the OpenAI SDK an error it can read', async () => {
  const client = new OpenAI({
    apiKey: TEAM_KEY,
    baseURL: `${g.url}/v1`,
    maxRetries: 0,
    defaultHeaders: { 'x-padding': 'a'.repeat(20_000) },
  });
  const err = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OpenAI.APIError);
  expect(err).toMatchObject({ status: 431, code: 'request_header_fields_too_large', type: 'invalid_request_error' });
});
