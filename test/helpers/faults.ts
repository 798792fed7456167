// Faults to inject after admission, and what the caller's budget shows afterwards.
import type { ChatRequest, Tokenizer } from '../../providers/index.js';
import { type TestGateway, tokenizer } from './gateway.js';
import { TEAM } from './team.js';

/** The real tokenizer, except that the methods named in `broken` throw. */
export function faultyTokenizer(...broken: Array<keyof Tokenizer>): Tokenizer {
  const guard =
    <A extends unknown[], R>(name: keyof Tokenizer, real: (...args: A) => R) =>
    (...args: A): R => {
      if (broken.includes(name)) throw new Error(`tokenizer.${name} broke`);
      return real(...args);
    };
  return {
    countAsync: guard('countAsync', (model: string, text: string) => tokenizer.countAsync(model, text)),
    truncate: guard('truncate', (model: string, text: string, max: number) => tokenizer.truncate(model, text, max)),
    promptTokensAsync: guard('promptTokensAsync', (request: ChatRequest, atMost?: number) =>
      tokenizer.promptTokensAsync(request, atMost),
    ),
    promptUpperBound: guard('promptUpperBound', (request: ChatRequest) => tokenizer.promptUpperBound(request)),
  };
}

/** What GET /v1/usage says the caller has used, per limit. */
export async function usedBy(g: TestGateway, headers: Record<string, string> = TEAM): Promise<Record<string, number>> {
  const res = await fetch(`${g.url}/v1/usage`, { headers });
  const body = (await res.json()) as { limits: Array<{ name: string; used: number }> };
  return Object.fromEntries(body.limits.map((l) => [l.name, l.used]));
}

/** The request event the gateway logged last. */
export function lastEvent(g: TestGateway): Record<string, unknown> | undefined {
  return g.logs.filter((l) => l.msg === 'request').at(-1);
}
