/** Decides which clients see notices: the first N distinct addresses, like AEMM's mock-ip-count. */
export interface ClientGate {
  allows(address: string | undefined): boolean;
}

/** A gate that admits the first `limit` distinct client addresses (all when `limit` is undefined). */
export function createClientGate(limit: number | undefined): ClientGate {
  if (limit === undefined) return { allows: () => true };
  const admitted = new Set<string>();
  return {
    allows(address) {
      // In-process clients (MSW) have no address: together they count as one client.
      // A v4 client of a dual-stack socket shows up as ::ffff:a.b.c.d; it is the same client.
      const key = address === undefined ? 'in-process' : address.startsWith('::ffff:') ? address.slice(7) : address;
      if (admitted.has(key)) return true;
      if (admitted.size >= limit) return false;
      admitted.add(key);
      return true;
    },
  };
}
