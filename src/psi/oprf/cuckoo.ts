/**
 * Cuckoo hashing for OPRF-based PSI (Pagh & Rodler 2004; as used by Pinkas, Schneider,
 * Zohner, USENIX Security 2014, and KKRT 2016): the receiver puts each of its n items in one
 * of ⌈1.27·n⌉ + 16 bins, at one of three positions h_1..h_3(x), so each bin holds at most
 * one item and the OPRF runs once per bin. The sender, who cannot know which position an
 * item took, evaluates every item at all three. Three hash functions at 1.27n bins fail
 * (need a stash) with probability about 2^-40 for large n (Pinkas, Schneider, Tkachenko,
 * Yanai, EUROCRYPT 2019, §5); a failure is retried with new hash keys, chosen by the
 * receiver alone, which tells the sender nothing about the set but that a retry happened.
 */

export const HASHES = 3;
export const EMPTY = 0xffffffff;

export function binCount(n: number): number {
  return Math.ceil(1.27 * n) + 16;
}

/**
 * Places items with candidate bins `cand` (HASHES per item). Returns, per bin, the item
 * index (EMPTY if none) and which of its hash functions placed it; undefined on failure.
 */
export function cuckooInsert(cand: Uint32Array, n: number, bins: number, maxKicks = 1000): { item: Uint32Array; which: Uint8Array } | undefined {
  const item = new Uint32Array(bins).fill(EMPTY);
  const which = new Uint8Array(bins);
  let seed = 0x9e3779b9;
  for (let x = 0; x < n; x++) {
    let cur = x;
    let h = 0;
    let placed = false;
    for (let kick = 0; kick < maxKicks; kick++) {
      // Take a free candidate if there is one.
      let free = -1;
      for (let i = 0; i < HASHES; i++) if (item[cand[cur * HASHES + i]!] === EMPTY) { free = i; break; }
      if (free >= 0) {
        const b = cand[cur * HASHES + free]!;
        item[b] = cur;
        which[b] = free;
        placed = true;
        break;
      }
      // Evict from a pseudo-random candidate (not the one we came from).
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      let i = seed % HASHES;
      if (cand[cur * HASHES + i] === cand[cur * HASHES + h] && kick > 0) i = (i + 1) % HASHES;
      const b = cand[cur * HASHES + i]!;
      const evicted = item[b]!;
      item[b] = cur;
      which[b] = i;
      cur = evicted;
      // Where the evicted item sat: do not put it straight back there.
      for (h = 0; h < HASHES; h++) if (cand[cur * HASHES + h] === b) break;
    }
    if (!placed) return undefined;
  }
  return { item, which };
}
