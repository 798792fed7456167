// The client's side of a request read straight from Node when running on @hono/node-server: its
// headers, its body (within the size limit) and its hang-up. Touching `c.req.raw`'s body or signal
// would make the server build a whole WHATWG Request per call; in-process tests have no Node side
// and fall back to `c.req`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { type ClientConnection, clientFromSignal, type HeaderReader } from '../../providers/index.js';
import { GatewayError } from './errors.js';

interface NodeBindings {
  readonly incoming?: IncomingMessage;
  readonly outgoing?: ServerResponse;
}

const nodeOf = (c: Context): NodeBindings => (c.env as NodeBindings | undefined) ?? {};

export function tooLarge(limit: number): GatewayError {
  return new GatewayError(
    413,
    'invalid_request_error',
    'request_too_large',
    `The request body is larger than the gateway's limit of ${limit} bytes.`,
  );
}

export function headersOf(c: Context): HeaderReader {
  const { incoming } = nodeOf(c);
  if (!incoming) return c.req.raw.headers;
  return {
    get(name) {
      const value = incoming.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/** The body as text; a 413 as soon as it passes `limit` bytes (declared or sent). */
export async function readBody(c: Context, limit: number): Promise<string> {
  const { incoming } = nodeOf(c);
  if (!incoming) {
    const text = await c.req.text();
    if (Buffer.byteLength(text) > limit) throw tooLarge(limit);
    return text;
  }
  if (Number(incoming.headers['content-length'] ?? 0) > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

/** The client's connection: whether it hung up before the answer was complete. */
export function clientConnection(c: Context): ClientConnection {
  const { outgoing } = nodeOf(c);
  if (!outgoing) return clientFromSignal(c.req.raw.signal);
  let gone = false;
  const listeners = new Set<() => void>();
  let controller: AbortController | undefined;
  outgoing.once('close', () => {
    if (outgoing.writableFinished) return;
    gone = true;
    for (const listener of listeners) listener();
    controller?.abort(new Error('the client closed the connection'));
  });
  return {
    get gone() {
      return gone;
    },
    onGone(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get signal() {
      controller ??= new AbortController();
      if (gone && !controller.signal.aborted) controller.abort(new Error('the client closed the connection'));
      return controller.signal;
    },
  };
}
