// Guards the admin API: a bearer token compared in constant time (hashes of equal length), 401 otherwise.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { GatewayError } from './errors.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

export function adminAuth(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async function adminAuth(c, next) {
    const header = c.req.header('authorization') ?? '';
    const given = /^bearer\s+/i.test(header) ? header.replace(/^bearer\s+/i, '').trim() : undefined;
    // Hash even a missing token, so every refusal costs the same.
    const matches = timingSafeEqual(digest(given ?? ''), expected);
    if (given === undefined || given === '' || !matches) {
      throw new GatewayError(
        401,
        'invalid_request_error',
        'invalid_admin_token',
        given ? 'Incorrect admin token.' : 'The admin API needs "Authorization: Bearer <admin token>".',
        { headers: { 'www-authenticate': 'Bearer realm="tollgate-admin"' } },
      );
    }
    await next();
  };
}
