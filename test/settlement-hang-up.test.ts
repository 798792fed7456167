// A stream whose client hangs up settles once, against a real upstream socket: msw's interceptor
// leaves a rejection unhandled when the gateway aborts a request it passed through.
import { expect, it } from 'vitest';
import { MemoryStore } from '../src/stores/memory.js';
import { SEED_ENV } from './helpers/configs.js';
import { faultyTokenizer, lastEvent, usedBy } from './helpers/faults.js';
import { hello, startGateway } from './helpers/gateway.js';
import { localUpstream, sseHead, sseWrite } from './helpers/local-upstream.js';
import { chunk } from './helpers/sse-upstream.js';
import { num, TEAM_KEY, teamConfig } from './helpers/team.js';

const LIMITS = { requests_per_minute: 5, tokens_per_minute: 10_000, tokens_per_day: 50_000 };

it('charges what it reserved when the client hangs up mid-stream and counting throws', async () => {
  // A real socket upstream: one word, then it waits while the client hangs up.
  let hold = () => {};
  const up = await localUpstream(async (_req, res) => {
    sseHead(res);
    sseWrite(res, chunk([{ index: 0, delta: { role: 'assistant', content: 'one' }, finish_reason: null }]));
    await new Promise<void>((resolve) => {
      hold = resolve;
    });
    if (!res.destroyed) res.end();
  });
  const store = new MemoryStore();
  const target = { base_url: up.baseUrl };
  const g = await startGateway(teamConfig({ limits: LIMITS, target }), {
    env: SEED_ENV,
    store,
    tokenizer: faultyTokenizer('countAsync'),
  });
  try {
    const controller = new AbortController();
    const { data: stream, response } = await g
      .client(TEAM_KEY)
      .chat.completions.create({ ...hello(), stream: true }, { signal: controller.signal })
      .withResponse();
    const reserved = 10_000 - num(response, 'X-RateLimit-Remaining-Tokens');
    for await (const _ of stream) controller.abort();
    await expect.poll(() => lastEvent(g)).toMatchObject({ outcome: 'client_aborted' });
    expect(store.openCount).toBe(0);
    expect(await usedBy(g)).toEqual({ requests_per_minute: 1, tokens_per_minute: reserved, tokens_per_day: reserved });
  } finally {
    hold();
    await g.close();
    await up.close();
  }
});
