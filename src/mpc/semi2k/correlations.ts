/**
 * The correlated randomness semi2k consumes, and how a dealer makes it from seeds.
 *
 * Every kind is a list of arrays that each compute party draws from the stream it shares
 * with the dealer; the dealer, who can expand every party's stream, computes the values
 * the correlation needs (c = a·b, the bits of r, ...) and sends party 0 corrections that
 * replace party 0's draws at the `derived` positions. Parties 1..N−1 never talk to the
 * dealer, and party 0's corrections are uniformly random to it. This is the "trusted
 * dealer with PRG seeds" of SPU's semi2k beaver (TTP/TFP) and of SPDZ-style offline phases.
 *
 * Kinds:
 * - `beaver`  (a, b, c = a·b), arithmetic (Beaver, CRYPTO 1991);
 * - `matmul`  (A, B, C = A·B) for matrix products (Mohassel & Zhang, SecureML 2017);
 * - `band`    (a, b, c = a & b) on 64-bit words;
 * - `trunc`   (r, r_63, (r mod 2^63) >> d) for truncation with exact sign (Dalskov,
 *             Escudero, Keller 2020);
 * - `edabits` (r arithmetic, −r boolean) for share conversion (Escudero et al., CRYPTO 2020);
 * - `dabits`  (b arithmetic, b boolean) for a random bit b (Rotaru & Wood, INDOCRYPT 2019);
 * - `shuffle` (r, π(r)) for a permutation π of n rows of width w known to one party, the
 *             `permuter`, who derives it from its own stream (and the dealer from its copy).
 */
import * as R from '../../crypto/ring64.js';
import { Prg } from '../../crypto/prg.js';
import { randomPermutation } from '../permutation.js';
import { ownBytes } from '../../net/bytes.js';

export type CorrelationRequest =
  | { kind: 'beaver'; n: number }
  | { kind: 'matmul'; m: number; k: number; n: number }
  | { kind: 'band'; n: number }
  | { kind: 'trunc'; n: number; bits: number }
  | { kind: 'edabits'; n: number }
  | { kind: 'dabits'; n: number }
  | { kind: 'shuffle'; n: number; width: number; permuter: number };

export const MAX_CORRELATION_ELEMENTS = 1 << 28;

interface Spec {
  /** Length of each array a party draws. */
  sizes: number[];
  /** Indices of the arrays party 0 receives as corrections. */
  derived: number[];
  /** The dealer's computation: given every party's draws, the true values at `derived`. */
  derive(draws: BigUint64Array[][], dealerRandom: Prg): BigUint64Array[];
}

const fresh = (n: number) => new BigUint64Array(n);

function sumOver(draws: BigUint64Array[][], j: number, boolean = false): BigUint64Array {
  const out = draws[0]![j]!.slice();
  for (let i = 1; i < draws.length; i++) (boolean ? R.xor : R.add)(out, out, draws[i]![j]!);
  return out;
}

export function specOf(req: CorrelationRequest): Spec {
  switch (req.kind) {
    case 'beaver': {
      const n = req.n;
      return {
        sizes: [n, n, n],
        derived: [2],
        derive: (d) => [R.mul(R.uninit(n), sumOver(d, 0), sumOver(d, 1))],
      };
    }
    case 'matmul': {
      const { m, k, n } = req;
      return {
        sizes: [m * k, k * n, m * n],
        derived: [2],
        derive: (d) => [R.matmul(R.uninit(m * n), sumOver(d, 0), sumOver(d, 1), m, k, n)],
      };
    }
    case 'band': {
      const n = req.n;
      return {
        sizes: [n, n, n],
        derived: [2],
        derive: (d) => [R.and(R.uninit(n), sumOver(d, 0, true), sumOver(d, 1, true))],
      };
    }
    case 'trunc': {
      const { n, bits } = req;
      return {
        sizes: [n, n, n],
        derived: [1, 2],
        derive: (d) => {
          const r = sumOver(d, 0);
          return [R.shrl(R.uninit(n), r, 63), R.shrl(R.uninit(n), R.shl(R.uninit(n), r, 1), 1 + bits)];
        },
      };
    }
    case 'edabits': {
      const n = req.n;
      return {
        sizes: [n, n],
        derived: [1],
        derive: (d) => [R.neg(R.uninit(n), sumOver(d, 0))],
      };
    }
    case 'dabits': {
      const n = req.n;
      return {
        sizes: [n, n],
        derived: [0, 1],
        derive: (_d, rnd) => {
          const b = R.andScalar(R.uninit(n), rnd.ring(n), 1n);
          return [b, b.slice()];
        },
      };
    }
    case 'shuffle': {
      const { n, width, permuter } = req;
      const m = n * width;
      return {
        // r, π(r), and a 16-byte seed (two elements) from which the permuter derives π.
        sizes: [m, m, 2],
        derived: [1],
        derive: (d) => [permuteRows(sumOver(d, 0), permutationFromSeed(d[permuter]![2]!, n), width)],
      };
    }
  }
}

/** The permutation a `shuffle` correlation's permuter derives from its seed draw. */
export function permutationFromSeed(seed: BigUint64Array, n: number): Int32Array {
  return randomPermutation(new Prg(new Uint8Array(seed.buffer, seed.byteOffset, 16).slice()), n);
}

/** Rows of a row-major n×width matrix, reordered: out row i = in row perm[i]. */
export function permuteRows(values: BigUint64Array, perm: Int32Array, width: number): BigUint64Array {
  const out = R.uninit(values.length);
  for (let i = 0; i < perm.length; i++) out.set(values.subarray(perm[i]! * width, (perm[i]! + 1) * width), i * width);
  return out;
}

/** Whether the derived array at position j is XOR-shared (else additive). */
export function isBooleanDerived(req: CorrelationRequest, j: number): boolean {
  return req.kind === 'band' || (req.kind === 'edabits' && j === 1) || (req.kind === 'dabits' && j === 1);
}

/** A party's own draws for `req`, in order, from its dealer stream. */
export function drawShares(req: CorrelationRequest, stream: Prg): BigUint64Array[] {
  return specOf(req).sizes.map((s) => stream.ring(s));
}

/**
 * The dealer's side: expands every party's stream, derives the correlation and returns
 * party 0's corrections (concatenated in `derived` order).
 */
export function dealerCorrections(req: CorrelationRequest, streams: Prg[], dealerRandom: Prg): BigUint64Array {
  const spec = specOf(req);
  const draws = streams.map((s) => spec.sizes.map((size) => s.ring(size)));
  const truth = spec.derive(draws, dealerRandom);
  const total = spec.derived.reduce((s, j) => s + spec.sizes[j]!, 0);
  const out = fresh(total);
  let off = 0;
  spec.derived.forEach((j, t) => {
    const size = spec.sizes[j]!;
    const boolean = isBooleanDerived(req, j);
    const corr = out.subarray(off, off + size);
    corr.set(truth[t]!);
    for (let i = 1; i < draws.length; i++) (boolean ? R.xor : R.sub)(corr, corr, draws[i]![j]!);
    off += size;
  });
  return out;
}

/** Party 0 replaces its derived draws with the dealer's corrections. */
export function applyCorrections(req: CorrelationRequest, own: BigUint64Array[], corrections: BigUint64Array): BigUint64Array[] {
  const spec = specOf(req);
  let off = 0;
  for (const j of spec.derived) {
    const size = spec.sizes[j]!;
    own[j] = corrections.subarray(off, off + size);
    off += size;
  }
  return own;
}

export function correctionLength(req: CorrelationRequest): number {
  const spec = specOf(req);
  return spec.derived.reduce((s, j) => s + spec.sizes[j]!, 0);
}

/** Wire form of a request: kind code and up to three integers. */
const KINDS = ['beaver', 'matmul', 'band', 'trunc', 'edabits', 'dabits', 'done', 'shuffle'] as const;

export function encodeRequest(req: CorrelationRequest | { kind: 'done' }): Uint8Array {
  const buf = new Uint32Array(4);
  buf[0] = KINDS.indexOf(req.kind);
  if (req.kind === 'matmul') {
    buf[1] = req.m;
    buf[2] = req.k;
    buf[3] = req.n;
  } else if (req.kind === 'shuffle') {
    buf[1] = req.n;
    buf[2] = req.width;
    buf[3] = req.permuter;
  } else if (req.kind !== 'done') {
    buf[1] = req.n;
    if (req.kind === 'trunc') buf[2] = req.bits;
  }
  return new Uint8Array(buf.buffer);
}

/** Parses and bounds-checks a request from the wire (the dealer trusts no sizes). */
export function decodeRequest(bytes: Uint8Array): CorrelationRequest | { kind: 'done' } {
  if (bytes.length !== 16) throw new RangeError('preprocessing request has the wrong length');
  const v = new Uint32Array(ownBytes(bytes).buffer);
  const kind = KINDS[v[0]!];
  if (!kind) throw new RangeError(`unknown preprocessing request kind ${v[0]}`);
  const check = (x: number) => {
    if (x > MAX_CORRELATION_ELEMENTS) throw new RangeError(`preprocessing request too large (${x} elements)`);
    return x;
  };
  switch (kind) {
    case 'done':
      return { kind };
    case 'matmul':
      check(v[1]! * v[2]!);
      check(v[2]! * v[3]!);
      check(v[1]! * v[3]!);
      return { kind, m: v[1]!, k: v[2]!, n: v[3]! };
    case 'shuffle':
      check(v[1]! * v[2]!);
      if (v[3]! > 1024) throw new RangeError('shuffle permuter out of range');
      return { kind, n: v[1]!, width: v[2]!, permuter: v[3]! };
    case 'trunc':
      if (v[2]! < 1 || v[2]! > 62) throw new RangeError('truncation bits out of range');
      return { kind, n: check(v[1]!), bits: v[2]! };
    default:
      return { kind, n: check(v[1]!) };
  }
}
