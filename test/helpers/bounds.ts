// For tests of the bounds on upstream answers: a gateway before a real local upstream with given target
// fields, upstreams that misbehave on purpose, and what a client and the events saw.
import type { ServerResponse } from 'node:http';
import { afterEach, expect } from 'vitest';
import { MemoryStore } from '../../src/stores/memory.js';
import { hello, startGateway, type TestGateway } from './gateway.js';
import { localUpstream } from './local-upstream.js';

export const KEY = 'tg_bounds_team_key_5b1e9c7a20d4';
export const AUTH = { authorization: `Bearer ${KEY}` };
export const KiB = 1024;

type Upstream = Awaited<ReturnType<typeof localUpstream>>;

/**
 * Starts upstreams and gateways (an OpenAI-compatible target, or the given target YAML) for one
 * test file, each gateway with its own store, and closes them all after each test.
 */
export function boundedGateways() {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((o) => o.close()));
  });
  return {
    async upstream(handler: Parameters<typeof localUpstream>[0]): Promise<Upstream> {
      const up = await localUpstream(handler);
      open.push(up);
      return up;
    },
    /** `target` is the target's YAML lines (for `providers.targets`), given the upstream's base URL. */
    async gateway(target: string, env: Record<string, string> = {}): Promise<{ gw: TestGateway; store: MemoryStore }> {
      const store = new MemoryStore();
      const gw = await startGateway(
        `
providers:
  targets:
${target}
consumer_groups:
  - name: team
    api_key: ${KEY}
    rate_limits:
      requests_per_minute: 100
      tokens_per_minute: 100000
`,
        { env, store },
      );
      open.push(gw);
      return { gw, store };
    },
  };
}

/** Target fields as YAML lines under a `- id:` entry. */
export const fields = (values: Record<string, string | number>): string =>
  Object.entries(values)
    .map(([k, v]) => `\n      ${k}: ${v}`)
    .join('');

/** An OpenAI-compatible target at `baseUrl` with the given bounds. */
export const openaiTarget = (baseUrl: string, bounds: Record<string, number>): string =>
  `    - id: openai
      provider: openai
      base_url: ${baseUrl}${fields(bounds)}`;

/** Resolves when the socket takes more, or is gone. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Writes `bytes` again and again, as fast as the socket takes them, until the gateway hangs up. */
export async function flood(res: ServerResponse, bytes: string): Promise<void> {
  while (!res.destroyed) if (!res.write(bytes)) await drained(res);
}

/** Writes `bytes` every `ms` until the gateway hangs up. */
export function trickle(res: ServerResponse, bytes: string, ms: number): void {
  const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(bytes)), ms);
}

/** The one request event the gateway logged. */
export async function requestEvent(gw: TestGateway): Promise<Record<string, unknown>> {
  await expect.poll(() => gw.logs.filter((l) => l.msg === 'request').length).toBe(1);
  return gw.logs.find((l) => l.msg === 'request')!;
}

/** Streams a request with the OpenAI SDK: the text that arrived, and the error that ended it. */
export async function streamed(
  gw: TestGateway,
  body: { model: string; messages: Array<{ role: 'user'; content: string }> } = hello(),
): Promise<{ text: string; failure: unknown }> {
  const stream = await gw.client(KEY).chat.completions.create({ ...body, stream: true });
  let text = '';
  const failure = await (async () => {
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
  })().catch((e: unknown) => e);
  return { text, failure };
}
