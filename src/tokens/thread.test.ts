// The request path's counts: on the counting thread, taking turns, bounded, and safe when the thread is not there.
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { chatRequestSchema } from '../../providers/index.js';
import { createTokenizer } from './index.js';
import { CountingThread } from './thread.js';

const tokenizer = createTokenizer();
afterAll(() => tokenizer.close());

const hello = chatRequestSchema.parse({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello' }] });
const x = (n: number) => 'x'.repeat(n);

describe('counts on the counting thread', () => {
  it('counts a prompt (3 to prime the reply, 3 per message, 1 for "Hello") and never loads tiktoken here', async () => {
    expect(await tokenizer.promptTokensAsync(hello)).toBe(7);
    expect(await tokenizer.countAsync('gpt-4', 'hello world '.repeat(100))).toBe(201);
    // tiktoken is CommonJS: loaded on this thread, it would sit in the require cache.
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.filter((path) => path.includes('tiktoken'))).toEqual([]);
  });

  it('stops counting a prompt once it passes atMost: the answer is above it, far below the whole count', async () => {
    const huge = chatRequestSchema.parse({ model: 'gpt-4o', messages: [{ role: 'user', content: x(4 << 20) }] });
    const counted = await tokenizer.promptTokensAsync(huge, 1_000);
    expect(counted).toBeGreaterThan(1_000);
    expect(counted).toBeLessThan(2_000);
  });

  it('cuts a text at maxTokens tokens, and leaves a text that fits whole', async () => {
    const text = 'hello world '.repeat(1_000);
    const cut = await tokenizer.truncate('gpt-4o', text, 10);
    expect(text.startsWith(cut)).toBe(true);
    expect(await tokenizer.countAsync('gpt-4o', cut)).toBe(10);
    expect(await tokenizer.truncate('gpt-4o', 'short', 10)).toBe('short');
  });

  it('answers a short count while a long one is still running', async () => {
    const order: string[] = [];
    const long = tokenizer.countAsync('gpt-4o', x(4 << 20)).then(() => order.push('long'));
    const short = tokenizer.countAsync('gpt-4o', 'hello').then(() => order.push('short'));
    await Promise.all([long, short]);
    expect(order).toEqual(['short', 'long']);
  });
});

describe('when the thread cannot count', () => {
  it('queues no more than its backlog: beyond it, prompts are null and texts get their UTF-8 bound', async () => {
    const small = createTokenizer({ backlogUnits: 32 });
    try {
      expect(await small.promptTokensAsync(hello)).toBe(7);
      const text = 'héllo wörld, héllo wörld';
      expect(await small.promptTokensAsync({ ...hello, messages: [{ role: 'user', content: text }] })).toBeNull();
      expect(await small.countAsync('gpt-4o', text)).toBe(Buffer.byteLength(text));
      // A start of at most 5 bytes holds at most 5 tokens.
      expect(await small.truncate('gpt-4o', text, 5)).toBe('héll');
    } finally {
      await small.close();
    }
  });

  it('does not start from a missing script: warm() rejects and every job answers null', async () => {
    const broken = new CountingThread(new URL('file:///nonexistent/tollgate-worker.js'));
    await expect(broken.warm()).rejects.toThrow();
    expect(
      await broken.run(['hello'], { type: 'count', model: 'gpt-4o', atMost: Number.POSITIVE_INFINITY }),
    ).toBeNull();
    await broken.close();
  });
});
