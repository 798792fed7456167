// The request bodies the bench sends: a small chat, the same streamed, and a 4,000-token prompt.
import { get_encoding } from 'tiktoken';

export const MODEL = 'gpt-4o-mini';
export const PROMPT_TOKENS = 4_000;

const SYSTEM = { role: 'system', content: 'You are a concise assistant for the platform team.' };

export function smallChat(): string {
  return JSON.stringify({
    model: MODEL,
    messages: [SYSTEM, { role: 'user', content: 'Summarise our token budget policy in one sentence.' }],
  });
}

export function streamedChat(): string {
  return JSON.stringify({
    model: MODEL,
    messages: [SYSTEM, { role: 'user', content: 'Stream a short greeting.' }],
    stream: true,
    stream_options: { include_usage: true },
  });
}

const VOCABULARY = (
  'the gateway team budget request token window minute day model answer stream usage limit group ' +
  'reserve settle release policy config upstream latency throughput memory core process queue retry ' +
  'after before during while because although however therefore meanwhile otherwise report table ' +
  'customer invoice quarter revenue forecast migration database index schema deploy rollback incident ' +
  'engineer analyst manager review summary detail example question context history document paragraph ' +
  'Monday Tuesday March April Berlin Lisbon Toronto Osaka 2024 2025 17 42 3.14 99% $1,200 v2.1 API JSON'
).split(' ');

/** Pseudo-random English-like text of exactly `tokens` o200k tokens (what gpt-4o-mini counts with). */
export function longPromptText(tokens: number): string {
  let seed = 0x9e3779b9;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const words: string[] = [];
  for (let i = 0; i < tokens * 1.5; i++) {
    const word = VOCABULARY[Math.floor(random() * VOCABULARY.length)] ?? 'token';
    words.push(i % 13 === 12 ? `${word}.` : i % 7 === 6 ? `${word},` : word);
  }
  const encoding = get_encoding('o200k_base');
  try {
    const encoded = encoding.encode(words.join(' '));
    return new TextDecoder().decode(encoding.decode(encoded.slice(0, tokens)));
  } finally {
    encoding.free();
  }
}

export function longPromptChat(): string {
  return JSON.stringify({
    model: MODEL,
    messages: [SYSTEM, { role: 'user', content: longPromptText(PROMPT_TOKENS) }],
  });
}
