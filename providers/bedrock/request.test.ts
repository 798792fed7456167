// Table tests for OpenAI request → Converse input: what is mapped, what is dropped, what is refused.
import { describe, expect, it } from 'vitest';
import { type ChatRequest, chatRequestSchema } from '../chat-schema.js';
import { UpstreamError } from '../types.js';
import { toConverseInput } from './request.js';

const MODEL = 'us.amazon.nova-lite-v1:0';
const req = (extra: Record<string, unknown>, messages: unknown[] = [{ role: 'user', content: 'Hi' }]): ChatRequest =>
  chatRequestSchema.parse({ model: MODEL, messages, ...extra });
const USER_HI = { role: 'user', content: [{ text: 'Hi' }] };
const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const WEATHER_SPEC = {
  toolSpec: {
    name: 'get_weather',
    description: 'Weather for a city',
    inputSchema: { json: WEATHER_TOOL.function.parameters },
  },
};

describe('toConverseInput maps', () => {
  it.each<[string, ChatRequest, Record<string, unknown>]>([
    ['a single user turn', req({}), { modelId: MODEL, messages: [USER_HI] }],
    [
      'the output cap, temperature, top_p and a stop string',
      req({ max_completion_tokens: 200, max_tokens: 300, temperature: 0.2, top_p: 0.9, stop: 'END' }),
      {
        modelId: MODEL,
        messages: [USER_HI],
        inferenceConfig: { maxTokens: 200, temperature: 0.2, topP: 0.9, stopSequences: ['END'] },
      },
    ],
    [
      'max_tokens alone and a list of stops',
      req({ max_tokens: 50, stop: ['a', 'b'] }),
      { modelId: MODEL, messages: [USER_HI], inferenceConfig: { maxTokens: 50, stopSequences: ['a', 'b'] } },
    ],
    [
      'system and developer messages to system blocks, in order',
      req({}, [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'Hi' },
      ]),
      { modelId: MODEL, messages: [USER_HI], system: [{ text: 'Be brief.' }, { text: 'Answer in French.' }] },
    ],
    [
      'a multi-turn conversation, merging neighbours of one role',
      req({}, [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'Who are you?' },
        { role: 'user', content: [{ type: 'text', text: 'Briefly.' }] },
      ]),
      {
        modelId: MODEL,
        messages: [
          USER_HI,
          { role: 'assistant', content: [{ text: 'Hello!' }] },
          { role: 'user', content: [{ text: 'Who are you?' }, { text: 'Briefly.' }] },
        ],
      },
    ],
    [
      'tools and tool_choice auto',
      req({ tools: [WEATHER_TOOL], tool_choice: 'auto' }),
      { modelId: MODEL, messages: [USER_HI], toolConfig: { tools: [WEATHER_SPEC], toolChoice: { auto: {} } } },
    ],
    [
      'tool_choice required to any, and a named function to tool',
      req({ tools: [WEATHER_TOOL], tool_choice: { type: 'function', function: { name: 'get_weather' } } }),
      {
        modelId: MODEL,
        messages: [USER_HI],
        toolConfig: { tools: [WEATHER_SPEC], toolChoice: { tool: { name: 'get_weather' } } },
      },
    ],
    [
      'a tool without parameters to an empty object schema',
      req({ tools: [{ type: 'function', function: { name: 'now', strict: true } }], tool_choice: 'required' }),
      {
        modelId: MODEL,
        messages: [USER_HI],
        toolConfig: {
          tools: [
            { toolSpec: { name: 'now', inputSchema: { json: { type: 'object', properties: {} } }, strict: true } },
          ],
          toolChoice: { any: {} },
        },
      },
    ],
    [
      'tool_choice none without tool history to no tools at all',
      req({ tools: [WEATHER_TOOL], tool_choice: 'none' }),
      { modelId: MODEL, messages: [USER_HI] },
    ],
    [
      'a tool call and its result round trip',
      req({ tools: [WEATHER_TOOL] }, [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [
            { id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'tooluse_1', content: '18°C and sunny' },
      ]),
      {
        modelId: MODEL,
        messages: [
          { role: 'user', content: [{ text: 'Weather in Paris?' }] },
          {
            role: 'assistant',
            content: [{ toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } }],
          },
          {
            role: 'user',
            content: [{ toolResult: { toolUseId: 'tooluse_1', content: [{ text: '18°C and sunny' }] } }],
          },
        ],
        toolConfig: { tools: [WEATHER_SPEC] },
      },
    ],
    [
      'harmless fields by dropping them',
      req({
        user: 'u-42',
        stream: true,
        stream_options: { include_usage: true },
        n: 1,
        parallel_tool_calls: true,
        store: false,
        metadata: { team: 'a' },
        logprobs: false,
        presence_penalty: 0,
        frequency_penalty: 0,
        response_format: { type: 'text' },
        seed: null,
      }),
      { modelId: MODEL, messages: [USER_HI] },
    ],
  ])('%s', (_name, request, expected) => {
    expect(toConverseInput(request)).toEqual(expected);
  });

  it('a base64 data URL image to an image block with its bytes', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64');
    const input = toConverseInput(
      req({}, [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png}`, detail: 'low' } },
          ],
        },
      ]),
    );
    expect(input.messages?.[0]?.content).toEqual([
      { text: 'What is this?' },
      { image: { format: 'png', source: { bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) } } },
    ]);
  });
});

describe('toConverseInput refuses with a 400 naming the field', () => {
  it.each<[string, ChatRequest, string]>([
    ['n above 1', req({ n: 2 }), 'n'],
    ['a seed', req({ seed: 7 }), 'seed'],
    ['logit_bias', req({ logit_bias: { '50256': -100 } }), 'logit_bias'],
    ['logprobs', req({ logprobs: true }), 'logprobs'],
    ['a JSON response format', req({ response_format: { type: 'json_object' } }), 'response_format'],
    ['a presence penalty', req({ presence_penalty: 0.5 }), 'presence_penalty'],
    ['parallel_tool_calls false', req({ tools: [WEATHER_TOOL], parallel_tool_calls: false }), 'parallel_tool_calls'],
    ['an unknown field', req({ reasoning_effort: 'high' }), 'reasoning_effort'],
    ['a stop of the wrong type', req({ stop: 3 }), 'stop'],
    ['a non-function tool', req({ tools: [{ type: 'custom', custom: { name: 'x' } }] }), 'tools[0].type'],
    ['tool_choice without tools', req({ tool_choice: 'required' }), 'tool_choice'],
    [
      'an image by URL',
      req({}, [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x.test/a.png' } }] }]),
      'messages[0].content[0].image_url',
    ],
    [
      'an image format Bedrock lacks',
      req({}, [{ role: 'user', content: [{ type: 'image_url', image_url: 'data:image/bmp;base64,AAAA' }] }]),
      'messages[0].content[0].image_url',
    ],
    [
      'audio input',
      req({}, [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AA', format: 'wav' } }] }]),
      'messages[0].content[0].type',
    ],
    ['a message name', req({}, [{ role: 'user', content: 'Hi', name: 'ann' }]), 'messages[0].name'],
    ['a legacy function message', req({}, [{ role: 'function', name: 'f', content: '1' }]), 'messages[0].role'],
    ['an empty user message', req({}, [{ role: 'user', content: '' }]), 'messages[0].content'],
    ['a tool message without its call id', req({}, [{ role: 'tool', content: 'x' }]), 'messages[0].tool_call_id'],
    [
      'tool call arguments that are not a JSON object',
      req({}, [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '[1' } }] },
      ]),
      'messages[1].tool_calls[0].function.arguments',
    ],
    [
      'tool_choice none after tool calls',
      req({ tools: [WEATHER_TOOL], tool_choice: 'none' }, [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 't', content: 'ok' },
      ]),
      'tool_choice',
    ],
  ])('%s', (_name, request, param) => {
    let thrown: unknown;
    try {
      toConverseInput(request);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UpstreamError);
    const error = thrown as UpstreamError;
    expect(error.status).toBe(400);
    expect(error.body.error).toMatchObject({ type: 'invalid_request_error', param });
    expect(error.body.error.message).toContain(param);
  });
});
