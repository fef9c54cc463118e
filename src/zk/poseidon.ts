/**
 * Poseidon (Grassi, Khovratovich, Rechberger, Roy, Schofnegger — "Poseidon: A New Hash
 * Function for Zero-Knowledge Proof Systems", USENIX Security 2021, eprint 2019/458) over the
 * BN254 scalar field, x^5 S-box, 8 full rounds and the paper's partial-round counts for each
 * width t = 2…17, constants from the paper's Grain LFSR script (`generate_parameters_grain.sage
 * 1 0 254 t 8 RP p`). Outside circuits we use `poseidon-lite` (MIT), which ships exactly these
 * constants; `circuits/poseidon-circom.ts` emits the same permutation as a circom template
 * from the same constant tables, and test/zk/poseidon.test.ts checks the two agree.
 *
 * `poseidonVector` hashes a fixed-length vector of any length: a chain of width-17 calls,
 * each absorbing the previous state and 15 new elements (zero padded) — used for model and
 * feature commitments.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { poseidon2 } from 'poseidon-lite/poseidon2';
import { poseidon3 } from 'poseidon-lite/poseidon3';
import { poseidon16 } from 'poseidon-lite/poseidon16';

/** Partial rounds per width t = 2…17 (paper, table 2 and 8, rounded up to a multiple of t). */
export const POSEIDON_PARTIAL_ROUNDS = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68] as const;
export const POSEIDON_FULL_ROUNDS = 8;

export interface PoseidonConstants {
  /** Round constants, t per round, (full + partial) rounds. */
  C: bigint[];
  /** t × t MDS matrix. */
  M: bigint[][];
}

const require = createRequire(import.meta.url);
const constantsDir = join(dirname(require.resolve('poseidon-lite')), 'constants');

function decode(o: unknown): unknown {
  if (Array.isArray(o)) return o.map(decode);
  return BigInt(`0x${Buffer.from(o as string, 'base64').toString('hex')}`);
}

const cache = new Map<number, PoseidonConstants>();
/** The constant tables of Poseidon with `inputs` inputs (width t = inputs + 1), from poseidon-lite. */
export function poseidonConstants(inputs: number): PoseidonConstants {
  let c = cache.get(inputs);
  if (!c) {
    if (!Number.isInteger(inputs) || inputs < 1 || inputs > 16) throw new RangeError(`Poseidon takes 1 to 16 inputs, got ${inputs}`);
    const raw = require(join(constantsDir, `${inputs}.js`)).default as { C: string[]; M: string[][] };
    c = { C: decode(raw.C) as bigint[], M: decode(raw.M) as bigint[][] };
    cache.set(inputs, c);
  }
  return c;
}

/** Poseidon of two field elements (Merkle nodes, leaves, commitments). */
export function hash2(a: bigint, b: bigint): bigint {
  return poseidon2([a, b]);
}

/** Poseidon of three field elements. */
export function hash3(a: bigint, b: bigint, c: bigint): bigint {
  return poseidon3([a, b, c]);
}

/** Elements absorbed per width-17 call of `poseidonVector`. */
export const VECTOR_RATE = 15;

/** Hash of a fixed-length vector: h = 0; for each 15-element chunk (zero padded): h = P16(h, chunk). */
export function poseidonVector(xs: readonly bigint[]): bigint {
  let h = 0n;
  for (let i = 0; i < Math.max(xs.length, 1); i += VECTOR_RATE) {
    const chunk: bigint[] = [h];
    for (let j = 0; j < VECTOR_RATE; j++) chunk.push(xs[i + j] ?? 0n);
    h = poseidon16(chunk);
  }
  return h;
}
