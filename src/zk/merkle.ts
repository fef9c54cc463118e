/**
 * Fixed-depth binary Merkle trees with Poseidon(left, right) nodes. Empty leaves are 0 and
 * the root of an empty subtree of height h is the constant z_h (z_0 = 0, z_{h+1} =
 * Poseidon(z_h, z_h)), so a depth-20 tree over n rows costs about n hashes, not 2^20, and a
 * circuit can finish a small subtree to full depth with known constants. Depth is fixed per
 * tree kind (rows: 20, columns: 5), which keeps every path the same length for circuits.
 */
import { hash2 } from './poseidon.js';

const zeroCache: bigint[] = [0n];
/** Root of an all-empty subtree of height h. */
export function zeroHash(h: number): bigint {
  while (zeroCache.length <= h) {
    const z = zeroCache[zeroCache.length - 1]!;
    zeroCache.push(hash2(z, z));
  }
  return zeroCache[h]!;
}

export interface MerklePath {
  /** Sibling at each level, leaf level first. */
  siblings: bigint[];
  /** Bit i = 1 when the node at level i is a right child (the leaf index, little-endian). */
  bits: number[];
}

/** A Poseidon Merkle tree of fixed `depth` over `leaves` (missing leaves are 0). */
export class PoseidonMerkleTree {
  /** levels[0] = leaves, levels[depth] = [root]; only the non-empty prefix of each level is stored. */
  private readonly levels: bigint[][];

  constructor(leaves: readonly bigint[], readonly depth: number) {
    if (leaves.length > 2 ** depth) throw new RangeError(`a depth-${depth} tree holds at most ${2 ** depth} leaves, got ${leaves.length}`);
    this.levels = [[...leaves]];
    for (let h = 0; h < depth; h++) {
      const below = this.levels[h]!;
      const up: bigint[] = new Array(Math.ceil(below.length / 2));
      for (let i = 0; i < up.length; i++) up[i] = hash2(below[2 * i]!, below[2 * i + 1] ?? zeroHash(h));
      this.levels.push(up);
    }
  }

  get root(): bigint {
    return this.levels[this.depth]![0] ?? zeroHash(this.depth);
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  leaf(index: number): bigint {
    return this.levels[0]![index] ?? 0n;
  }

  /** The authentication path of leaf `index` (which may be an empty position). */
  path(index: number): MerklePath {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** this.depth) throw new RangeError(`leaf index ${index} is outside the tree`);
    const siblings: bigint[] = [];
    const bits: number[] = [];
    let i = index;
    for (let h = 0; h < this.depth; h++) {
      siblings.push(this.levels[h]![i ^ 1] ?? zeroHash(h));
      bits.push(i & 1);
      i >>= 1;
    }
    return { siblings, bits };
  }
}

/** Recomputes a root from a leaf and its path (the reference for the circuit). */
export function rootFromPath(leaf: bigint, path: MerklePath): bigint {
  let h = leaf;
  for (let i = 0; i < path.siblings.length; i++) {
    h = path.bits[i] ? hash2(path.siblings[i]!, h) : hash2(h, path.siblings[i]!);
  }
  return h;
}
