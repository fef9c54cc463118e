/**
 * Theoretical payload bytes each protocol sends per party, derived from the protocol
 * descriptions in docs/architecture.md (not from the code's meters), for checking that the
 * implementation sends what the design says. Figures are the largest over compute parties.
 */
export type CostProtocol = { protocol: 'rep3' } | { protocol: 'semi2k'; parties: number };

const W = 8; // bytes per ring element

/** Kernel costs for n elements. */
export function kernelBytes(p: CostProtocol) {
  if (p.protocol === 'rep3') {
    return {
      mulAA: (n: number) => W * n, // one 3-of-3 share to the predecessor
      truncA: (n: number) => 2 * W * n, // open c (or deal 2n) + reshare component 1
      // a product's local cross terms go straight into the truncation: no resharing first
      mulTruncA: (n: number) => 2 * W * n,
      // party 0: boolean input 8 + generate 8 + the packed carry tree (lanes of 64, 32, 16,
      // 8, 8, 8 bits: 17 bytes) + bit input 8 + product 8 bytes per element
      msbA: (n: number) => 49 * n,
    };
  }
  const peers = p.parties - 1;
  return {
    mulAA: (n: number) => 2 * W * n * peers, // d and e to every other party
    truncA: (n: number) => W * n * peers, // c to every other party
    mulTruncA: (n: number) => 2 * W * n * peers + W * n * peers, // a product, then its truncation
    // open c 8 + the packed carry tree, d and e of each level (2 × 17 bytes) + daBit open 8
    msbA: (n: number) => 50 * n * peers,
  };
}

export function theoreticalBytes(p: CostProtocol, op: string, n: number, shape?: { m: number; k: number; n: number }): number {
  const K = kernelBytes(p);
  switch (op) {
    case 'mul': // the ring product alone
      return K.mulAA(n);
    case 'mul-fxp':
      return K.mulTruncA(n);
    case 'matmul': {
      const s = shape!;
      // rep3: the local products feed the truncation directly; semi2k opens both masked factors
      if (p.protocol === 'rep3') return K.truncA(s.m * s.n);
      return W * (s.m * s.k + s.k * s.n) * (p.parties - 1) + K.truncA(s.m * s.n);
    }
    case 'lt':
      return K.msbA(n);
    case 'sigmoid':
      // signs of 3n, then 18n element products and 19n truncations (see functions/sigmoid.ts):
      // 16n of the products are fixed-point ones, fused with their truncation
      return K.msbA(3 * n) + K.mulAA(2 * n) + K.mulTruncA(16 * n) + K.truncA(3 * n);
    default:
      throw new RangeError(`no cost model for ${op}`);
  }
}
