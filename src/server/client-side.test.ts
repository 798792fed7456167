// In process (app.request, no Node socket), the gateway reads the body and its limit through Hono.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../config/load.js';
import { MemoryStore } from '../stores/memory.js';
import { createTokenizer } from '../tokens/index.js';
import { createApp } from './app.js';

const tokenizer = createTokenizer();
const YAML = `providers: {targets: [{id: m, provider: mock, reply: "hi"}]}
server: {max_body_bytes: 300}
rate_limit_defaults: {requests_per_minute: 5}
`;

function app() {
  const now = () => Date.UTC(2026, 3, 23, 10, 30);
  const { runtime } = loadConfigText('p.yaml', YAML, { env: {}, tokenizer, now });
  if (!runtime) throw new Error('config');
  return createApp({ config: runtime, store: new MemoryStore(), tokenizer, now, logger: pino({ level: 'silent' }) });
}

const post = (body: string) =>
  app().request('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('without a Node socket', () => {
  it('answers a chat completion and counts it', async () => {
    const res = await post(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('4');
    expect(
      ((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content,
    ).toBe('hi');
  });

  it('refuses a body over server.max_body_bytes with 413', async () => {
    const res = await post(
      JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(400) }] }),
    );
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
  });
});
