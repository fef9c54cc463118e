/**
 * The kernels a protocol family must provide, named by share kinds as in SPU and MP-SPDZ
 * (A = arithmetic shares mod 2^64, B = boolean/XOR shares of 64-bit words, P = public).
 *
 * A share is `Parts`: the typed arrays one party holds for a tensor — two for replicated
 * sharing (x_i, x_{i+1}), one for additive sharing, none at a session member that does not
 * compute. Everything that is the same for every protocol (linear maps applied part by
 * part, shapes, fixed-point bookkeeping, the non-linear functions) lives in the engine
 * (`engine.ts`, `layout.ts`, `operands.ts`) and `functions/`, built only from these
 * kernels, so a new protocol is a new implementation of this interface and nothing else.
 *
 * Every method is called by every member of the session in the same order (SPMD); members
 * that are not compute parties do only their part (send an input, receive an output).
 */
export type Parts = BigUint64Array[];

export type ProtocolName = 'rep3' | 'semi2k';

export interface Protocol {
  readonly name: ProtocolName;
  /** Compute parties, in protocol order. */
  readonly computeParties: readonly string[];
  /** This member's index among the compute parties, or -1. */
  readonly index: number;
  /** How many arrays a compute party holds per tensor. */
  readonly partsPerShare: number;

  /** Secret-shares `n` ring elements held by `owner` (any session member). */
  inputA(owner: string, values: BigUint64Array | undefined, n: number): Promise<Parts>;
  /** Opens to every member listed in `to`; the others get undefined. */
  openA(x: Parts, n: number, to: readonly string[]): Promise<BigUint64Array | undefined>;
  /** Opens boolean shares likewise. */
  openB(x: Parts, n: number, to: readonly string[]): Promise<BigUint64Array | undefined>;
  /** x + c for public c (a scalar broadcast or one value per element). Local. */
  addPublicA(x: Parts, c: bigint | BigUint64Array, n: number): Parts;
  /** x ^ c for public c. Local. */
  xorPublicB(x: Parts, c: bigint | BigUint64Array, n: number): Parts;
  /** A sharing of public values (every compute party knows them). Local. */
  fromPublic(c: BigUint64Array): Parts;

  mulAA(x: Parts, y: Parts, n: number): Promise<Parts>;
  /** (m×k)·(k×n) on row-major shares. */
  matmulAA(x: Parts, y: Parts, m: number, k: number, n: number): Promise<Parts>;
  /** truncA(mulAA(x, y), bits), fused where the protocol can (rep3: one round fewer). */
  mulTruncA(x: Parts, y: Parts, n: number, bits: number): Promise<Parts>;
  /** truncA(matmulAA(x, y), bits), likewise. */
  matmulTruncA(x: Parts, y: Parts, m: number, k: number, n: number, bits: number): Promise<Parts>;
  /** Truncation by `bits` (arithmetic shift of a signed value; may be off by one ulp). */
  truncA(x: Parts, n: number, bits: number): Promise<Parts>;
  /** Word-wise AND of boolean shares. */
  andBB(x: Parts, y: Parts, n: number): Promise<Parts>;
  /** Boolean shares of the same values (bit decomposition). */
  a2b(x: Parts, n: number): Promise<Parts>;
  /** Arithmetic shares of the most significant bit (1 for negative), as 0/1 integers. */
  msbA(x: Parts, n: number): Promise<Parts>;
  /**
   * Boolean shares of the most significant bit, in bit 0 of each word (other bits 0): msbA
   * without the bit injection, for bits that are only opened (sorting) — two rounds fewer.
   */
  msbB(x: Parts, n: number): Promise<Parts>;
  /** Arithmetic shares (0/1) of the least significant bit of boolean shares. */
  bitB2A(x: Parts, n: number): Promise<Parts>;
  /** Arithmetic shares of full boolean-shared words. */
  b2a(x: Parts, n: number): Promise<Parts>;

  /**
   * Applies one secret random permutation, unknown to every single party, to several
   * columns of n elements each. Optional: protocols without it sort by sorting networks.
   */
  shuffle?(cols: Parts[], n: number): Promise<Parts[]>;

  /** Called once when the session ends (releases a dealer, for instance). */
  finish(): Promise<void>;
}
