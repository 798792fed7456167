// Puts an app on a real socket and takes it down cleanly.
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AppEnv } from './app-types.js';
import { answerClientError } from './client-errors.js';
import { canonicalHeaderResponse, HeaderCasing } from './header-case.js';

export interface Listening {
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

/**
 * `headerNames`: header names to write in their given casing (see header-case.ts). `app` may be a
 * stand-in whose `fetch` forwards to the app in force (config reloads).
 */
export function listen(
  app: Pick<Hono<AppEnv>, 'fetch'>,
  host: string,
  port: number,
  headerNames: Iterable<string> | HeaderCasing = [],
): Promise<Listening> {
  const casing = headerNames instanceof HeaderCasing ? headerNames : new HeaderCasing(headerNames);
  return new Promise((resolve, reject) => {
    let server: ServerType;
    const onError = (err: Error) => reject(err);
    server = serve(
      {
        fetch: app.fetch,
        hostname: host,
        port,
        serverOptions: { ServerResponse: canonicalHeaderResponse(casing) },
      },
      (info) => {
        server.off('error', onError);
        const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${shownHost}:${info.port}`,
          port: info.port,
          close: (graceMs = 10_000) =>
            new Promise<void>((done) => {
              const cut = setTimeout(() => 'closeAllConnections' in server && server.closeAllConnections(), graceMs);
              cut.unref();
              server.close(() => {
                clearTimeout(cut);
                done();
              });
              if ('closeIdleConnections' in server) server.closeIdleConnections();
            }),
        });
      },
    );
    server.once('error', onError);
    // Without this, Node answers requests its parser refuses (431 for oversized headers) with no body.
    server.on('clientError', answerClientError);
  });
}
