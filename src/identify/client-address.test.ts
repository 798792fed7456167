// clientAddressOf and addressBucket: whose address a request counts against, and as what.
import { describe, expect, it } from 'vitest';
import { addressBucket, clientAddressOf } from './client-address.js';

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

describe('addressBucket', () => {
  it.each([
    ['an IPv4 address as itself', '203.0.113.9', 64, '203.0.113.9'],
    ['an IPv4-mapped IPv6 address as its IPv4 address', '::ffff:203.0.113.9', 64, '203.0.113.9'],
    ['an IPv4-mapped address written in hex as its IPv4 address', '::ffff:cb00:7109', 64, '203.0.113.9'],
    ['an IPv6 address by its /64', '2001:db8:1:2:aaaa:bbbb:cccc:dddd', 64, '2001:db8:1:2:0:0:0:0/64'],
    ['another address of the same /64 the same', '2001:db8:1:2::1', 64, '2001:db8:1:2:0:0:0:0/64'],
    ['a compressed address expanded first', '2001:db8::1:2:3', 64, '2001:db8:0:0:0:0:0:0/64'],
    ['a prefix that cuts a group in two', '2001:db8:abcd:ffff::1', 56, '2001:db8:abcd:ff00:0:0:0:0/56'],
    ['each address apart with a /128', '2001:db8::7', 128, '2001:db8:0:0:0:0:0:7/128'],
    ['a bracketed address with a port', '[2001:db8:1:2::9]:443', 64, '2001:db8:1:2:0:0:0:0/64'],
    ['an address with a zone', 'fe80::1%eth0', 64, 'fe80:0:0:0:0:0:0:0/64'],
    ['an embedded IPv4 tail', '64:ff9b::198.51.100.7', 96, '64:ff9b:0:0:0:0:0:0/96'],
    ['anything that is not an address unchanged', 'unknown', 64, 'unknown'],
  ])('counts %s', (_name, address, prefix, expected) => {
    expect(addressBucket(address, prefix)).toBe(expected);
  });
});
