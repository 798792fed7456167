// Writes the gateway's headers in the casing seed 003 prints (`X-RateLimit-Limit-Requests`):
// fetch-style Headers lowercase every name, and the tutorial's `grep ^X-RateLimit` is case-sensitive.
import { type OutgoingHttpHeaders, ServerResponse } from 'node:http';

const CANONICAL = new Map(
  [
    'X-RateLimit-Limit-Requests',
    'X-RateLimit-Remaining-Requests',
    'X-RateLimit-Limit-Tokens',
    'X-RateLimit-Remaining-Tokens',
    'X-RateLimit-Reset',
    'X-RateLimit-Limit-Tokens-Day',
    'X-RateLimit-Remaining-Tokens-Day',
    'X-Request-Id',
    'Retry-After',
    'Content-Type',
  ].map((name) => [name.toLowerCase(), name]),
);

export class CanonicalHeaderResponse extends ServerResponse {
  // biome-ignore lint/suspicious/noExplicitAny: mirrors ServerResponse.writeHead's overloads.
  override writeHead(statusCode: number, ...rest: any[]): this {
    const last = rest[rest.length - 1];
    if (last && typeof last === 'object' && !Array.isArray(last)) {
      const renamed: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(last as OutgoingHttpHeaders)) {
        renamed[CANONICAL.get(name) ?? name] = value;
      }
      rest[rest.length - 1] = renamed;
    }
    return super.writeHead(statusCode, ...rest);
  }
}
