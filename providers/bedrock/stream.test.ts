// Table tests for ConverseStream events → OpenAI chunks: role, text, tool calls, finish and usage.
import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../types.js';
import { streamTranslator } from './stream.js';

const META = { id: 'chatcmpl-r1', created: 1_776_940_200, model: 'us.amazon.nova-lite-v1:0', targetId: 'bedrock' };

/** Runs events through a fresh translator; each chunk as parsed JSON beside its text and usage. */
function translate(events: unknown[]) {
  const next = streamTranslator(META);
  return events
    .map((e) => next(e as ConverseStreamOutput))
    .filter((c) => c !== null)
    .map((c) => ({ json: JSON.parse(c.data) as Record<string, unknown>, text: c.text, usage: c.usage }));
}
const choice = (delta: object, finish: string | null = null) => [
  { index: 0, delta, logprobs: null, finish_reason: finish },
];
const head = { id: 'chatcmpl-r1', object: 'chat.completion.chunk', created: 1_776_940_200, model: META.model };

const TEXT_EVENTS = [
  { messageStart: { role: 'assistant' } },
  { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Jimi' } } },
  { contentBlockDelta: { contentBlockIndex: 0, delta: { text: ' Hendrix' } } },
  { contentBlockStop: { contentBlockIndex: 0 } },
  { messageStop: { stopReason: 'end_turn' } },
  { metadata: { usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 }, metrics: { latencyMs: 9 } } },
];

describe('streamTranslator', () => {
  it('sends the role first, then text deltas, the finish and the usage chunk, with usage null before it', () => {
    const chunks = translate(TEXT_EVENTS);
    expect(chunks.map((c) => c.json)).toEqual([
      { ...head, choices: choice({ role: 'assistant', content: '', refusal: null }), usage: null },
      { ...head, choices: choice({ content: 'Jimi' }), usage: null },
      { ...head, choices: choice({ content: ' Hendrix' }), usage: null },
      { ...head, choices: choice({}, 'stop'), usage: null },
      { ...head, choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } },
    ]);
    expect(chunks.map((c) => c.text).join('')).toBe('Jimi Hendrix');
    expect(chunks.map((c) => c.usage)).toEqual([
      null,
      null,
      null,
      null,
      { promptTokens: 5, completionTokens: 2, totalTokens: 7 },
    ]);
  });

  it('numbers tool calls from 0 and streams their arguments', () => {
    const chunks = translate([
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Checking.' } } },
      {
        contentBlockStart: {
          contentBlockIndex: 1,
          start: { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather' } },
        },
      },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '"Paris"}' } } } },
      { contentBlockStop: { contentBlockIndex: 1 } },
      { messageStop: { stopReason: 'tool_use' } },
    ]);
    expect(chunks.slice(2).map((c) => (c.json.choices as unknown[])[0])).toEqual([
      {
        index: 0,
        delta: {
          tool_calls: [
            { index: 0, id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
          ],
        },
        logprobs: null,
        finish_reason: null,
      },
      {
        index: 0,
        delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
        logprobs: null,
        finish_reason: null,
      },
      {
        index: 0,
        delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] },
        logprobs: null,
        finish_reason: null,
      },
      { index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' },
    ]);
    expect(chunks.map((c) => c.text).join('')).toBe('Checking.get_weather{"city":"Paris"}');
  });

  it.each([
    ['max_tokens', 'length'],
    ['stop_sequence', 'stop'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ])('finishes %s as %s', (stopReason, finish) => {
    const [chunk] = translate([{ messageStop: { stopReason } }]);
    expect(chunk?.json.choices).toEqual(choice({}, finish));
  });

  it('sends no usage chunk when the metadata carries no usage', () => {
    expect(translate([{ metadata: { metrics: { latencyMs: 1 } } }])).toEqual([]);
  });

  it('skips reasoning deltas and block stops', () => {
    const chunks = translate([
      { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text: 'hmm' } } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
    ]);
    expect(chunks).toEqual([]);
  });

  it('throws an exception event as an OpenAI-shaped upstream error', () => {
    const next = streamTranslator(META);
    let thrown: unknown;
    try {
      next({ throttlingException: { name: 'ThrottlingException', message: 'slow down' } } as never);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UpstreamError);
    expect((thrown as UpstreamError).status).toBe(429);
  });
});
