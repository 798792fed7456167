// The upstream HTTP client: node:http(s) over one keep-alive connection pool per target. Leaner
// per request than fetch (no WHATWG Request, Headers or web streams), and the body is a Node stream.
// Default imports, used at request time: interceptors (msw in tests) patch the module objects.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { HeaderReader } from '../types.js';

export interface Exchange {
  /** Resolves with the response head; rejects on connection errors or `destroy`. */
  readonly response: Promise<IncomingMessage>;
  /** Ends the exchange at once (timeouts, client gone, consumer done). */
  destroy(reason?: Error): void;
}

export function headerReader(res: IncomingMessage): HeaderReader {
  return {
    get(name) {
      const value = res.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/** A body larger than the reader was allowed to hold; the rest of it was not read. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the body is larger than ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/**
 * Reads a whole response body as UTF-8 text, holding at most `maxBytes`: a larger declared length
 * fails before reading, a body that grows past it fails at that byte (leaving the loop destroys the
 * response, so the upstream stops sending).
 */
export async function readText(res: IncomingMessage, maxBytes: number): Promise<string> {
  if (Number(res.headers['content-length']) > maxBytes) throw new BodyTooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyTooLarge(maxBytes);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

export function createHttpClient(baseUrl: string) {
  const secure = new URL(baseUrl).protocol === 'https:';
  const options = { keepAlive: true, maxSockets: 256, scheduling: 'lifo' as const };
  const agent = secure ? new https.Agent(options) : new http.Agent(options);
  return {
    post(url: string, headers: Record<string, string>, body: string): Exchange {
      const req = (secure ? https : http).request(url, {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      });
      const response = new Promise<IncomingMessage>((resolve, reject) => {
        req.once('response', resolve);
        req.once('error', reject);
      });
      req.end(body);
      return { response, destroy: (reason) => req.destroy(reason) };
    },
    close: () => agent.destroy(),
  };
}
