// Bedrock targets end to end with the OpenAI SDK: the exact Converse request sent, the answer returned.
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { AWS_ENV, CLAUDE, converseReply, fakeBedrock, NOVA, teamConfig } from './fake-bedrock.js';

const bedrock = fakeBedrock();
const KEY = 'tg_bedrock_team_key_5b8e2f71c4';
const CONFIG = teamConfig(KEY);
const WEATHER: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

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

describe('bedrock chat completions', () => {
  it('sends a user message as a signed Converse request and answers a chat.completion', async () => {
    bedrock.answer(() => converseReply('Jimi Hendrix was a guitarist.', { inputTokens: 5, outputTokens: 7 }));
    const completion = await client.chat.completions.create({
      model: NOVA,
      messages: [{ role: 'user', content: 'Who is Jimi Hendrix?' }],
    });
    expect(bedrock.received).toHaveLength(1);
    const call = bedrock.received[0]!;
    expect(call.modelId).toBe(NOVA);
    expect(call.operation).toBe('converse');
    expect(call.body).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Who is Jimi Hendrix?' }] }],
      inferenceConfig: { maxTokens: 4096 },
    });
    expect(call.headers.get('authorization')).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/bedrock\/aws4_request, /,
    );
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: NOVA,
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Jimi Hendrix was a guitarist.' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
    });
  });

  it('sends system prompts, earlier turns and sampling settings', async () => {
    await client.chat.completions.create({
      model: CLAUDE,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Name a guitarist.' },
        { role: 'assistant', content: 'Jimi Hendrix.' },
        { role: 'user', content: 'Another?' },
      ],
      max_tokens: 100,
      temperature: 0.3,
      top_p: 0.8,
      stop: ['\n\n'],
      user: 'ann@example.com',
    });
    expect(bedrock.received[0]?.modelId).toBe(CLAUDE);
    expect(bedrock.received[0]?.body).toEqual({
      system: [{ text: 'You are terse.' }],
      messages: [
        { role: 'user', content: [{ text: 'Name a guitarist.' }] },
        { role: 'assistant', content: [{ text: 'Jimi Hendrix.' }] },
        { role: 'user', content: [{ text: 'Another?' }] },
      ],
      inferenceConfig: { maxTokens: 100, temperature: 0.3, topP: 0.8, stopSequences: ['\n\n'] },
    });
  });

  it('round-trips a tool call and its result', async () => {
    bedrock.answer(() =>
      converseReply(
        [
          { text: 'Let me check.' },
          { toolUse: { toolUseId: 'tooluse_abc', name: 'get_weather', input: { city: 'Seattle' } } },
        ],
        { inputTokens: 40, outputTokens: 20 },
        'tool_use',
      ),
    );
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Seattle?' }];
    const first = await client.chat.completions.create({
      model: NOVA,
      messages,
      tools: [WEATHER],
      tool_choice: 'auto',
    });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('Let me check.');
    expect(choice.message.tool_calls).toEqual([
      { id: 'tooluse_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Seattle"}' } },
    ]);

    bedrock.answer(() => converseReply('It is 12°C and raining.'));
    messages.push(choice.message, { role: 'tool', tool_call_id: 'tooluse_abc', content: '12°C, rain' });
    const second = await client.chat.completions.create({ model: NOVA, messages, tools: [WEATHER] });
    expect(second.choices[0]?.message.content).toBe('It is 12°C and raining.');
    const { name, description, parameters } = WEATHER.function;
    const spec = { toolSpec: { name, description, inputSchema: { json: parameters } } };
    expect(bedrock.received[0]?.body.toolConfig).toEqual({ tools: [spec], toolChoice: { auto: {} } });
    expect(bedrock.received[1]?.body).toMatchObject({
      messages: [
        { role: 'user', content: [{ text: 'Weather in Seattle?' }] },
        {
          role: 'assistant',
          content: [
            { text: 'Let me check.' },
            { toolUse: { toolUseId: 'tooluse_abc', name: 'get_weather', input: { city: 'Seattle' } } },
          ],
        },
        { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_abc', content: [{ text: '12°C, rain' }] } }] },
      ],
      toolConfig: { tools: [spec] },
    });
  });

  it('sends a base64 image as an image block', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
    await client.chat.completions.create({
      model: NOVA,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
          ],
        },
      ],
    });
    expect(bedrock.received[0]?.body.messages).toEqual([
      {
        role: 'user',
        content: [{ text: 'What is in this picture?' }, { image: { format: 'png', source: { bytes: png } } }],
      },
    ]);
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ])('answers stop reason %s with finish_reason %s', async (stopReason, finish) => {
    bedrock.answer(() => converseReply('…', { inputTokens: 3, outputTokens: 1 }, stopReason));
    const completion = await client.chat.completions.create({
      model: NOVA,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.choices[0]?.finish_reason).toBe(finish);
  });

  it("charges the team Bedrock's total and says so in X-RateLimit-Remaining-Tokens", async () => {
    bedrock.answer(() => converseReply('A long answer.', { inputTokens: 5, outputTokens: 570 }));
    const hi = { model: NOVA, messages: [{ role: 'user' as const, content: 'Who is Jimi Hendrix?' }] };
    const first = await client.chat.completions.create(hi).withResponse();
    expect(first.response.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
    expect(first.response.headers.get('x-ratelimit-remaining-tokens')).toBe(String(100_000 - 575));
    bedrock.answer(() => converseReply('Short.', { inputTokens: 5, outputTokens: 330 }));
    const second = await client.chat.completions.create(hi).withResponse();
    expect(second.response.headers.get('x-ratelimit-remaining-tokens')).toBe(String(100_000 - 575 - 335));
  });

  it('refuses a field Bedrock has no equivalent for, naming it, without calling Bedrock or charging', async () => {
    const failure = await client.chat.completions
      .create({ model: NOVA, messages: [{ role: 'user', content: 'Hi' }], seed: 7 })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect(failure).toMatchObject({ status: 400, param: 'seed', type: 'invalid_request_error' });
    expect(bedrock.received).toHaveLength(0);
    const after = await client.chat.completions
      .create({ model: NOVA, messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(after.response.headers.get('x-ratelimit-remaining-tokens')).toBe(String(100_000 - 42));
  });

  it('lists the configured Bedrock models in /v1/models', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((m) => [m.id, m.owned_by])).toEqual([
      [NOVA, 'bedrock'],
      [CLAUDE, 'bedrock'],
    ]);
  });
});
