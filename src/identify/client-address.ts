// The client's address, which per-address budgets count by: the socket peer, or what a trusted proxy saw.

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
