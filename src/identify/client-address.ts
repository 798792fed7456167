// The client's address, which per-address budgets count by: the socket peer, or what a trusted proxy saw.
import { isIPv6 } from 'node:net';

/**
 * Behind a trusted proxy, the last X-Forwarded-For entry is the address that proxy saw. Entries
 * to its left were sent by the client and can be anything: taking the first would let a caller
 * pick a fresh default budget on every request.
 */
export function clientAddressOf(
  forwardedFor: string | undefined,
  peer: string | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy) {
    const seen = forwardedFor?.split(',').at(-1)?.trim();
    if (seen) return seen;
  }
  return peer || 'unknown';
}

/**
 * What an address without a known key is counted as: an IPv4 address itself (an IPv4-mapped IPv6
 * one included), an IPv6 address by its first `ipv6Prefix` bits. One IPv6 allocation (a /64 is
 * what one home, phone or VM gets) holds countless addresses: counted one by one, its holder would
 * get a fresh default budget with every address it picks.
 */
export function addressBucket(address: string, ipv6Prefix: number): string {
  const bare = address.replace(/^\[([^\]]*)\](:\d+)?$/, '$1').replace(/%.*$/, '');
  if (!isIPv6(bare)) return address;
  const groups = ipv6Groups(bare);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  const masked = groups.map((g, i) => {
    const keep = Math.min(16, Math.max(0, ipv6Prefix - i * 16));
    return keep === 0 ? 0 : g & ((0xffff << (16 - keep)) & 0xffff);
  });
  return `${masked.map((g) => g.toString(16)).join(':')}/${ipv6Prefix}`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail split in two). */
function ipv6Groups(address: string): number[] {
  const parse = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [Number.parseInt(g, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = address.split('::');
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}
