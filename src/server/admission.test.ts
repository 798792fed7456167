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
