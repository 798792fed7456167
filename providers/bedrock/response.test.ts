// Table tests for Converse output → OpenAI chat.completion: content, tool calls, finish reasons, usage.
import type { ConverseResponse } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../types.js';
import { finishReason, toCompletion, usageFrom } from './response.js';

const META = { id: 'chatcmpl-r1', created: 1_776_940_200, model: 'us.amazon.nova-lite-v1:0', targetId: 'bedrock' };
const USAGE = { inputTokens: 5, outputTokens: 570, totalTokens: 575 };

const output = (content: unknown[], stopReason = 'end_turn', usage: unknown = USAGE) =>
  ({
    output: { message: { role: 'assistant', content } },
    stopReason,
    usage,
    metrics: { latencyMs: 1 },
  }) as ConverseResponse;

describe('toCompletion', () => {
  it('turns text blocks into the message content, with usage', () => {
    const { body, usage } = toCompletion(output([{ text: 'Jimi ' }, { text: 'Hendrix' }]), META);
    expect(JSON.parse(body)).toEqual({
      id: 'chatcmpl-r1',
      object: 'chat.completion',
      created: 1_776_940_200,
      model: 'us.amazon.nova-lite-v1:0',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Jimi Hendrix', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 570, total_tokens: 575 },
    });
    expect(usage).toEqual({ promptTokens: 5, completionTokens: 570, totalTokens: 575 });
  });

  it('turns tool use blocks into tool calls with JSON arguments and null content', () => {
    const { body } = toCompletion(
      output([{ toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } }], 'tool_use'),
      META,
    );
    expect(JSON.parse(body).choices[0]).toMatchObject({
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      finish_reason: 'tool_calls',
    });
  });

  it('leaves usage out, and reports none, when Bedrock sent none', () => {
    const { body, usage } = toCompletion({ ...output([{ text: 'x' }]), usage: undefined }, META);
    expect(JSON.parse(body)).not.toHaveProperty('usage');
    expect(usage).toBeNull();
  });

  it('refuses an answer without a message', () => {
    expect(() => toCompletion({ stopReason: 'end_turn' } as ConverseResponse, META)).toThrow(UpstreamError);
  });
});

describe('finishReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    [undefined, 'stop'],
  ])('maps %s to %s', (stop, finish) => {
    expect(finishReason(stop, 'bedrock')).toBe(finish);
  });

  it.each(['malformed_model_output', 'malformed_tool_use'])('treats %s as a 502 from the upstream', (stop) => {
    expect(() => finishReason(stop, 'bedrock')).toThrow(expect.objectContaining({ status: 502 }));
  });
});

describe('usageFrom', () => {
  it.each([
    ['input and output', USAGE, { promptTokens: 5, completionTokens: 570, totalTokens: 575 }],
    ['no total', { inputTokens: 3, outputTokens: 4 }, { promptTokens: 3, completionTokens: 4, totalTokens: 7 }],
    [
      'cached prompt tokens, counted as prompt',
      { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 100, cacheWriteInputTokens: 20, totalTokens: 135 },
      { promptTokens: 130, completionTokens: 5, totalTokens: 135 },
    ],
    ['nothing', undefined, null],
    ['no output count', { inputTokens: 3 }, null],
  ])('reads %s', (_name, reported, expected) => {
    expect(usageFrom(reported as Parameters<typeof usageFrom>[0])).toEqual(expected);
  });
});
