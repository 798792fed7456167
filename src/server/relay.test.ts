import { describe, expect, it } from 'vitest';
import type { StreamChunk } from '../../providers/index.js';
import { createRedactor } from '../../providers/redact.js';
import { relay, type StreamResult } from './relay.js';

async function* pieces(n: number, size: number): AsyncGenerator<StreamChunk> {
  const piece = 'x'.repeat(size);
  for (let i = 0; i < n; i++) {
    yield {
      data: JSON.stringify({ choices: [{ index: 0, delta: { content: piece } }], usage: null }),
      text: piece,
      usage: null,
    };
  }
}

async function run(chunks: AsyncIterable<StreamChunk>, count: (t: string) => Promise<number>): Promise<StreamResult> {
  let result: StreamResult | undefined;
  const body = relay(chunks, false, count, createRedactor([]), (r) => {
    result = r;
  });
  await new Response(body).text();
  if (!result) throw new Error('no result');
  return result;
}

describe('relay', () => {
  it('keeps only the start of a long answer, and scales its count from it', async () => {
    const counted: number[] = [];
    const result = await run(pieces(400, 16 * 1024), async (t) => {
      counted.push(t.length);
      return t.length / 4;
    });
    expect(result.end).toBe('ok');
    expect(counted).toEqual([]);
    expect(await result.completionTokens()).toBe((400 * 16 * 1024) / 4);
    // One count, of a bounded sample: the answer's 6.25 MiB were never held.
    expect(counted).toEqual([256 * 1024]);
    expect(result.text.length).toBe(64 * 1024);
  });

  it('counts nothing until asked when the stream is short', async () => {
    let calls = 0;
    const result = await run(pieces(3, 10), async (t) => {
      calls++;
      return t.length;
    });
    expect(calls).toBe(0);
    expect(await result.completionTokens()).toBe(30);
    expect(result.text).toBe('x'.repeat(30));
  });
});
