// Streaming from Bedrock end to end: ConverseStream frames become OpenAI chunks, usage on request.
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway, tokenizer } from '../helpers/gateway.js';
import {
  AWS_ENV,
  bedrockError,
  eventStream,
  exceptionFrame,
  fakeBedrock,
  frame,
  NOVA,
  teamConfig,
  textEvents,
} from './fake-bedrock.js';

const bedrock = fakeBedrock();
const KEY = 'tg_bedrock_stream_key_9c1d4e7a2b';
const CONFIG = teamConfig(KEY);
const PIECES = ['Jimi', ' Hendrix', ' played', ' guitar', '.'];
const ask = { model: NOVA, messages: [{ role: 'user' as const, content: 'Who is Jimi Hendrix?' }] };

let gw: TestGateway;
let client: OpenAI;

beforeAll(() => bedrock.listen());
afterAll(() => bedrock.close());
beforeEach(async () => {
  gw = await startGateway(CONFIG, { env: AWS_ENV });
  client = gw.client(KEY);
});
afterEach(async () => {
  bedrock.reset();
  await gw.close();
});

/** The request event the gateway logs once the stream has been reconciled. */
async function loggedRequest(): Promise<Record<string, unknown>> {
  await expect.poll(() => gw.logs.filter((l) => l.msg === 'request').length).toBe(1);
  return gw.logs.find((l) => l.msg === 'request')!;
}

describe('bedrock streaming', () => {
  it('streams the role, the text and the finish, hiding usage the client did not ask for', async () => {
    bedrock.answer(() => eventStream(textEvents(PIECES, { inputTokens: 5, outputTokens: 9 })));
    const stream = await client.chat.completions.create({ ...ask, stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(bedrock.received[0]?.operation).toBe('converse-stream');
    expect(bedrock.received[0]?.body).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Who is Jimi Hendrix?' }] }],
      inferenceConfig: { maxTokens: 4096 },
    });
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(PIECES.join(''));
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.every((c) => !('usage' in c) && c.object === 'chat.completion.chunk' && c.model === NOVA)).toBe(true);
    expect((await loggedRequest()).usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 });
  });

  it("sends Bedrock's usage as the last chunk when the client asks for it", async () => {
    bedrock.answer(() => eventStream(textEvents(PIECES, { inputTokens: 5, outputTokens: 9 }, 'max_tokens')));
    const stream = await client.chat.completions.create({
      ...ask,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('length');
    expect(chunks.at(-2)?.usage).toBeNull();
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 });
  });

  it('streams tool calls that the SDK assembles into a final completion', async () => {
    bedrock.answer(() =>
      eventStream([
        frame('messageStart', { role: 'assistant' }),
        frame('contentBlockStart', {
          contentBlockIndex: 0,
          start: { toolUse: { toolUseId: 'tooluse_xyz', name: 'get_weather' } },
        }),
        frame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '{"city":' } } }),
        frame('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '"Seattle"}' } } }),
        frame('contentBlockStop', { contentBlockIndex: 0 }),
        frame('messageStop', { stopReason: 'tool_use' }),
        frame('metadata', { usage: { inputTokens: 30, outputTokens: 15, totalTokens: 45 }, metrics: { latencyMs: 5 } }),
      ]),
    );
    const final = await client.chat.completions
      .stream({
        ...ask,
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      })
      .finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.choices[0]?.message.tool_calls).toEqual([
      { id: 'tooluse_xyz', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Seattle"}' } },
    ]);
    expect(bedrock.received[0]?.body.toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }],
    });
  });

  it('ends with an OpenAI-shaped error event when Bedrock throttles mid-stream, charging what was streamed', async () => {
    bedrock.answer(() =>
      eventStream([
        frame('messageStart', { role: 'assistant' }),
        frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Jimi' } }),
        exceptionFrame('throttlingException', 'Too many tokens, please wait before trying again'),
      ]),
    );
    // Read raw: with msw in this process the OpenAI SDK never sees a stream that ends in an error event.
    const res = await gw.post({ ...ask, stream: true }, { authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(200);
    const events = (await res.text())
      .trim()
      .split('\n\n')
      .map((e) => JSON.parse(e.replace(/^data: /, '')) as Record<string, unknown>);
    const text = events.map((e) => (e as Partial<OpenAI.ChatCompletionChunk>).choices?.[0]?.delta.content ?? '');
    expect(text.join('')).toBe('Jimi');
    expect(events.at(-1)).toEqual({
      error: {
        message:
          "Bedrock throttled the request (ThrottlingException: Too many tokens, please wait before trying again). This is the upstream's limit, not your tollgate budget.",
        type: 'rate_limit_error',
        param: null,
        code: 'upstream_rate_limited',
      },
    });
    const event = await loggedRequest();
    expect(event.outcome).toBe('upstream_error');
    const prompt = tokenizer.promptTokens(ask);
    expect(event.usage).toMatchObject({ total_tokens: prompt + tokenizer.count(NOVA, 'Jimi') });
  });

  it('answers a JSON error, not a stream, when Bedrock refuses before the first event', async () => {
    bedrock.answer(() => bedrockError('ThrottlingException', 429, 'Too many requests, please wait.'));
    const failure = await client.chat.completions.create({ ...ask, stream: true }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OpenAI.RateLimitError);
    expect(failure).toMatchObject({ status: 429, code: 'upstream_rate_limited' });
  });
});
