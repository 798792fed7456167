// clientAddressOf: whose address a request counts against, with and without a trusted proxy.
import { describe, expect, it } from 'vitest';
import { clientAddressOf } from './client-address.js';

describe('clientAddressOf', () => {
  it.each([
    ['the peer when no proxy is trusted', '203.0.113.9', '10.0.0.1', false, '10.0.0.1'],
    ['the proxy-seen address when one is trusted', '203.0.113.9', '10.0.0.1', true, '203.0.113.9'],
    ['the last entry, not a client-forged first one', '1.2.3.4, 203.0.113.9', '10.0.0.1', true, '203.0.113.9'],
    ['the last entry with spaces trimmed', ' 1.2.3.4 ,  203.0.113.9  ', '10.0.0.1', true, '203.0.113.9'],
    ['the peer when the header is absent', undefined, '10.0.0.1', true, '10.0.0.1'],
    ['the peer when the header ends empty', '1.2.3.4, ', '10.0.0.1', true, '10.0.0.1'],
    ['unknown without a peer', undefined, undefined, false, 'unknown'],
  ])('returns %s', (_name, forwarded, peer, trust, expected) => {
    expect(clientAddressOf(forwarded, peer, trust)).toBe(expected);
  });
});
