// Bedrock through `endpoint` on a real socket (no msw here): aborts, timeouts, resets and failures mid-stream.
import OpenAI, { APIError } from 'openai';
import { expect, it } from 'vitest';
import { bedrockTargetSchema, createBedrockTarget } from '../../providers/bedrock/index.js';
import { chatRequestSchema, clientFromSignal } from '../../providers/index.js';
import { startGateway, type TestGateway, tokenizer } from '../helpers/gateway.js';
import { localUpstream } from '../helpers/local-upstream.js';
import { AWS_ENV, bedrockTarget, exceptionFrame, frame, NOVA } from './fake-bedrock.js';

const KEY = 'tg_bedrock_socket_key_3e8a6f0d1c';
type Upstream = Awaited<ReturnType<typeof localUpstream>>;
const ask = { model: NOVA, messages: [{ role: 'user' as const, content: 'Who is Jimi Hendrix?' }] };
const promptTokens = tokenizer.promptTokens(ask);

async function gatewayFor(up: Upstream, timeoutMs = 10_000): Promise<TestGateway> {
  const endpoint = up.baseUrl.replace(/\/v1$/, '');
  return startGateway(
    `
providers:
  targets:
${bedrockTarget(`\n      endpoint: ${endpoint}\n      timeout_ms: ${timeoutMs}`)}
consumer_groups:
  - name: team
    api_key: ${KEY}
    rate_limits:
      requests_per_minute: 100
      tokens_per_minute: 100000
`,
    { env: AWS_ENV },
  );
}

async function loggedRequest(gw: TestGateway): Promise<Record<string, unknown>> {
  await expect.poll(() => gw.logs.filter((l) => l.msg === 'request').length).toBe(1);
  return gw.logs.find((l) => l.msg === 'request')!;
}

const streamHead = { 'content-type': 'application/vnd.amazon.eventstream' };
const delta = (text: string) => frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text } });

it('aborts the Bedrock call as soon as the client hangs up, charging what was streamed', async () => {
  let hold: () => void = () => {};
  const up = await localUpstream(async (req, res) => {
    expect(req.url).toBe(`/model/${encodeURIComponent(NOVA)}/converse-stream`);
    res.writeHead(200, streamHead);
    res.write(frame('messageStart', { role: 'assistant' }));
    for (const piece of ['Jimi', ' Hendrix']) res.write(delta(piece));
    await new Promise<void>((resolve) => (hold = resolve));
    if (!res.destroyed) res.end();
  });
  const gw = await gatewayFor(up);
  try {
    const controller = new AbortController();
    const stream = await gw
      .client(KEY)
      .chat.completions.create({ ...ask, stream: true }, { signal: controller.signal });
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (text === 'Jimi Hendrix') controller.abort();
    }
    await expect.poll(() => up.closedByPeer()).toBe(1);
    const event = await loggedRequest(gw);
    expect(event.outcome).toBe('client_aborted');
    expect(event.usage).toMatchObject({ total_tokens: promptTokens + tokenizer.count(NOVA, text) });
  } finally {
    hold();
    await gw.close();
    await up.close();
  }
});

it('aborts the Bedrock call when the consumer stops before the first chunk', async () => {
  const up = await localUpstream((_req, res) => {
    res.writeHead(200, streamHead);
    res.write(frame('messageStart', { role: 'assistant' }));
  });
  const config = bedrockTargetSchema.parse({
    id: 'bedrock',
    provider: 'bedrock',
    region: 'us-west-2',
    endpoint: up.baseUrl.replace(/\/v1$/, ''),
    access_key_id: { env: 'TG_AWS_KEY_ID' },
    secret_access_key: { env: 'TG_AWS_SECRET' },
  });
  const target = createBedrockTarget(config, { env: AWS_ENV, tokenizer, now: Date.now }, []);
  try {
    const request = chatRequestSchema.parse({ ...ask, stream: true });
    const call = { request, body: '', client: clientFromSignal(new AbortController().signal), requestId: 'r1' };
    const chunks = await target.stream(call);
    await chunks[Symbol.asyncIterator]().return?.();
    await expect.poll(() => up.closedByPeer()).toBe(1);
  } finally {
    await up.close();
  }
});

it('hands the OpenAI SDK an error when Bedrock reports an exception mid-stream', async () => {
  const up = await localUpstream((_req, res) => {
    res.writeHead(200, streamHead);
    res.write(frame('messageStart', { role: 'assistant' }));
    res.write(delta('Jimi'));
    res.end(exceptionFrame('modelStreamErrorException', 'The model failed'));
  });
  const gw = await gatewayFor(up);
  try {
    const stream = await gw.client(KEY).chat.completions.create({ ...ask, stream: true });
    let text = '';
    const failure = await (async () => {
      for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(text).toBe('Jimi');
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toContain('ModelStreamErrorException: The model failed');
  } finally {
    await gw.close();
    await up.close();
  }
});

it('ends the stream with a timeout error when Bedrock goes quiet for timeout_ms', async () => {
  const up = await localUpstream((_req, res) => {
    res.writeHead(200, streamHead);
    res.write(frame('messageStart', { role: 'assistant' }));
    res.write(delta('Jimi'));
  });
  const gw = await gatewayFor(up, 300);
  try {
    const res = await gw.post({ ...ask, stream: true }, { authorization: `Bearer ${KEY}` });
    const last = (await res.text()).trim().split('\n\n').at(-1)!;
    expect(JSON.parse(last.replace(/^data: /, '')).error.code).toBe('upstream_timeout');
    await expect.poll(() => up.closedByPeer()).toBe(1);
  } finally {
    await gw.close();
    await up.close();
  }
});

it('answers 504 when Bedrock does not answer within timeout_ms, and charges nothing', async () => {
  const up = await localUpstream(() => {});
  const gw = await gatewayFor(up, 300);
  try {
    const failure = await gw
      .client(KEY)
      .chat.completions.create(ask)
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(APIError);
    expect(failure).toMatchObject({ status: 504, code: 'upstream_timeout' });
    const res = await gw.post(ask, { authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(504);
    expect(res.headers.get('x-ratelimit-remaining-tokens')).toBe('100000');
  } finally {
    await gw.close();
    await up.close();
  }
});

it('answers 502 when the Bedrock endpoint is unreachable', async () => {
  const up = await localUpstream(() => {});
  const gw = await gatewayFor(up);
  await up.close();
  try {
    const failure = await gw
      .client(KEY)
      .chat.completions.create(ask)
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OpenAI.InternalServerError);
    expect(failure).toMatchObject({ status: 502, code: 'upstream_unreachable' });
  } finally {
    await gw.close();
  }
});
