// Prompt counts on the calling thread: framing, encodings per model family, and the UTF-8 bound above them.
import { get_encoding } from 'tiktoken';
import { describe, expect, it } from 'vitest';
import { chatRequestSchema } from '../../providers/index.js';
import { createTokenizer, encodingFor } from './index.js';

const tokenizer = createTokenizer();
const request = (model: string, content: string) =>
  chatRequestSchema.parse({
    model,
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content, name: 'ann' },
    ],
  });

describe('prompt estimates', () => {
  it.each([
    ['gpt-4o', 'Hello'],
    ['gpt-4', 'The quick brown fox jumps over the lazy dog. '.repeat(50)],
    ['unknown-model', `Grüße, 世界! 🚀🚀 <|endoftext|> ${'x'.repeat(300)}`],
    ['gpt-4o-mini', ''],
  ])('bounds the exact %s count from above with the UTF-8 length (%#)', (model, content) => {
    const req = request(model, content);
    expect(tokenizer.promptUpperBound(req)).toBeGreaterThanOrEqual(tokenizer.promptTokens(req));
  });

  it('counts long texts piece by piece, cut where tiktoken starts a word: exactly', () => {
    const text = 'The quick brown fox jumps over the lazy dog; 我们今天去公园散步，天气非常好。'.repeat(2_500);
    const whole = get_encoding('o200k_base').encode_ordinary(text).length;
    expect(tokenizer.count('gpt-4o', text)).toBe(whole);
  });

  it("counts OpenAI's chat framing: 3 per message, 1 per name, 3 to prime the reply", () => {
    const req = request('gpt-4o', 'Hello');
    const text =
      tokenizer.count('gpt-4o', 'Be brief.') + tokenizer.count('gpt-4o', 'Hello') + tokenizer.count('gpt-4o', 'ann');
    expect(tokenizer.promptTokens(req)).toBe(text + 3 * 2 + 1 + 3);
  });

  it.each([
    ['gpt-4o-2024-08-06', 'o200k_base'],
    ['openai/gpt-4.1-mini', 'o200k_base'],
    ['o3-mini', 'o200k_base'],
    ['gpt-4-turbo', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['llama-3-70b', 'o200k_base'],
  ])('uses the %s family encoding %s', (model, encoding) => {
    expect(encodingFor(model)).toBe(encoding);
  });
});
