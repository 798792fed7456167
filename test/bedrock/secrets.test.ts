// Bedrock's errors that quote the gateway's AWS credentials (its key id, its session token, the signed
// Authorization header) reach the client masked, in a plain answer and mid-stream.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import {
  AWS_ENV,
  bedrockError,
  bedrockTarget,
  eventStream,
  exceptionFrame,
  fakeBedrock,
  frame,
  NOVA,
} from './fake-bedrock.js';

const bedrock = fakeBedrock();
const KEY = 'tg_bedrock_secrets_key_4b8e1f0c2d';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE/session+token==';
const CONFIG = `
providers:
  targets:
${bedrockTarget('\n      session_token: { env: TG_AWS_TOKEN }')}
consumer_groups:
  - name: team
    api_key: ${KEY}
`;
const ask = { model: NOVA, messages: [{ role: 'user' as const, content: 'Hi' }] };
const secrets = [AWS_ENV.TG_AWS_KEY_ID, AWS_ENV.TG_AWS_SECRET, SESSION_TOKEN];

/** What an upstream that prints the request it got would say: its signed headers. */
const quoted = (headers: Headers) =>
  `request was: ${['authorization', 'x-amz-security-token'].map((h) => `${h}: ${headers.get(h)}`).join('; ')}`;

let gw: TestGateway;
beforeAll(() => bedrock.listen());
afterAll(() => bedrock.close());
afterEach(async () => {
  bedrock.reset();
  await gw.close();
});

function expectNoCredential(text: string): void {
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toContain(SESSION_TOKEN.slice(0, 12));
}

describe('Bedrock errors that quote the gateway credentials', () => {
  it('are masked in a plain answer', async () => {
    gw = await startGateway(CONFIG, { env: { ...AWS_ENV, TG_AWS_TOKEN: SESSION_TOKEN } });
    bedrock.answer(({ headers }) => bedrockError('ValidationException', 400, quoted(headers)));
    const res = await gw.post(ask, { authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(400);
    expect(bedrock.received[0]?.headers.get('x-amz-security-token')).toBe(SESSION_TOKEN);
    const body = (await res.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe('upstream_invalid_request');
    expect(body.error.message).toContain('x-amz-security-token: [redacted]');
    expectNoCredential(`${JSON.stringify(body)}\n${gw.logText()}`);
  });

  it('are masked in the error event that ends a stream', async () => {
    gw = await startGateway(CONFIG, { env: { ...AWS_ENV, TG_AWS_TOKEN: SESSION_TOKEN } });
    bedrock.answer(({ headers }) =>
      eventStream([
        frame('messageStart', { role: 'assistant' }),
        frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Jimi' } }),
        exceptionFrame('modelStreamErrorException', quoted(headers)),
      ]),
    );
    const res = await gw.post({ ...ask, stream: true }, { authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"content":"Jimi"');
    expect(text).toMatch(/data: \{"error":\{"message":"Bedrock failed \(ModelStreamErrorException: request was: /);
    await expect.poll(() => gw.logs.some((l) => l.msg === 'request')).toBe(true);
    expectNoCredential(`${text}\n${gw.logText()}`);
  });

  it('name an unreachable endpoint without its address', async () => {
    gw = await startGateway(
      `
providers:
  targets:
${bedrockTarget('\n      endpoint: http://127.0.0.1:9')}
consumer_groups:
  - name: team
    api_key: ${KEY}
`,
      { env: AWS_ENV },
    );
    const res = await gw.post(ask, { authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({
      error: { message: 'Upstream bedrock is unreachable.', code: 'upstream_unreachable' },
    });
  });
});
