import { describe, expect, it } from 'vitest';
import { checksFor, namedLimitSpecs } from '../../policies/rate-limit/index.js';
import { chatRequestSchema } from '../../providers/index.js';
import { MemoryStore } from '../stores/memory.js';
import { createTokenizer } from '../tokens/index.js';
import { admit } from './admission.js';

const tokenizer = createTokenizer();
const NOW = Date.UTC(2026, 3, 23, 10, 30);
const checks = checksFor('group:t', namedLimitSpecs({ tokens_per_minute: 1000 }));
const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } };

const cases = [
  { name: 'far from the limit: reserves the cheap bound', content: 'hello there, how are you', used: 0, exact: false },
  {
    name: 'near the limit: counts exactly and reserves that',
    content: 'hello there, how are you',
    used: 900,
    exact: true,
  },
  { name: 'near the limit, one-character prompt (count = bound)', content: 'a', used: 900, exact: true },
  { name: 'near the limit, image-only prompt (count = bound)', content: [image], used: 0, exact: true },
];

describe('admit', () => {
  for (const c of cases) {
    it(`${c.name}, and leaves exactly one reservation that settling charges`, async () => {
      const store = new MemoryStore();
      if (c.used) {
        await store.reserve({
          id: 'earlier',
          checks,
          demand: { promptTokens: c.used, desiredOutput: 0, minOutput: 0 },
          now: NOW,
        });
      }
      const request = chatRequestSchema.parse({ model: 'gpt-4o', messages: [{ role: 'user', content: c.content }] });
      const a = await admit(store, tokenizer, {
        id: 'r1',
        checks,
        request,
        desiredOutput: 500,
        minOutput: 16,
        now: () => NOW,
      });
      expect(a.decision.admitted).toBe(true);
      expect(a.promptTokens).toBe(c.exact ? tokenizer.promptTokens(request) : tokenizer.promptUpperBound(request));
      expect(store.openCount).toBe(c.used ? 2 : 1);
      const after = await store.settle(a.id, 42, NOW);
      expect(after?.[0]?.used).toBe(c.used + 42);
      expect(store.openCount).toBe(c.used ? 1 : 0);
    });
  }
});

describe('admit when the exact count cannot or need not finish', () => {
  const near = async () => {
    const store = new MemoryStore();
    await store.reserve({
      id: 'earlier',
      checks,
      demand: { promptTokens: 900, desiredOutput: 0, minOutput: 0 },
      now: NOW,
    });
    return store;
  };
  const ask = (content: string, minOutput = 16) => ({
    id: 'r1',
    checks,
    request: chatRequestSchema.parse({ model: 'gpt-4o', messages: [{ role: 'user', content }] }),
    desiredOutput: 500,
    minOutput,
    now: () => NOW,
  });

  it('stops counting past the smallest token limit: the prompt never fits, and is refused so', async () => {
    const store = new MemoryStore();
    const a = await admit(store, tokenizer, ask('x'.repeat(1 << 20)));
    expect(a.decision).toMatchObject({ admitted: false, neverFits: true });
    expect(a.promptTokens).toBeGreaterThan(1000);
    expect(a.promptTokens).toBeLessThan(2000);
    expect(store.openCount).toBe(0);
  });

  it('answers 503 tokenizer_busy, reserving nothing, when only a count could admit it and the counter is full', async () => {
    const store = await near();
    const saturated = createTokenizer({ backlogUnits: 0 });
    await expect(admit(store, saturated, ask('hello there, how are you', 80))).rejects.toMatchObject({
      status: 503,
      code: 'tokenizer_busy',
    });
    expect(store.openCount).toBe(1);
  });

  it("keeps the bound's reservation (a shorter answer, never an overrun) when the counter is full", async () => {
    const store = await near();
    const saturated = createTokenizer({ backlogUnits: 0 });
    const request = ask('hello there, how are you');
    const a = await admit(store, saturated, request);
    expect(a.decision.admitted).toBe(true);
    expect(a.promptTokens).toBe(tokenizer.promptUpperBound(request.request));
    expect(await a.exactPrompt()).toBe(a.promptTokens);
    expect(store.openCount).toBe(2);
  });
});
