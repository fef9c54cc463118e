/**
 * Shamir sharing with Feldman commitments (Feldman 1987, "A practical scheme for
 * non-interactive verifiable secret sharing"): a dealer picks f(x) = a_0 + a_1 x + … +
 * a_{t-1} x^{t-1}, publishes C_k = a_k·G and gives member i the share f(i); anyone checks a
 * share with f(i)·G = Σ_k C_k·i^k (RFC 9591 Appendix C.2 `vss_verify`). Key generation,
 * refresh and resharing are all sums of such sharings, so this is the one place that does
 * the polynomial arithmetic. Point sums over public data use variable-time arithmetic.
 */
import { baseMul } from './ec.js';
import { Fn, Point, randomScalar } from './suite.js';

export interface Sharing {
  /** Coefficients a_0..a_{t-1}; secret. */
  coefficients: bigint[];
  /** C_k = a_k·G. */
  commitments: Point[];
}

/** A random polynomial of degree t-1 with the given constant term. */
export function randomSharing(t: number, constant: bigint): Sharing {
  const coefficients = [constant];
  for (let k = 1; k < t; k++) coefficients.push(randomScalar());
  return { coefficients, commitments: coefficients.map((a) => baseMul(a)) };
}

/** f(x) by Horner's rule. */
export function evaluate(coefficients: readonly bigint[], x: bigint): bigint {
  let y = 0n;
  for (let k = coefficients.length - 1; k >= 0; k--) y = Fn.add(Fn.mul(y, x), coefficients[k]!);
  return y;
}

/** x·P for a small public x by double-and-add (member identifiers are 1..255): a handful of group operations, no scalar recoding. */
function mulSmall(p: Point, x: number): Point {
  let acc = p;
  for (let bit = 31 - Math.clz32(x) - 1; bit >= 0; bit--) {
    acc = acc.double();
    if ((x >>> bit) & 1) acc = acc.add(p);
  }
  return acc;
}

/** Σ_k C_k·x^k: the public image f(x)·G of a committed polynomial (Horner's rule). */
export function evaluateCommitment(commitments: readonly Point[], x: bigint): Point {
  const small = x > 0n && x < 65536n ? Number(x) : 0;
  let acc = Point.ZERO;
  for (let k = commitments.length - 1; k >= 0; k--) acc = (small ? mulSmall(acc, small) : acc.multiplyUnsafe(x)).add(commitments[k]!);
  return acc;
}

/** Feldman's check of share f(x) against the commitments (the share is secret: constant-time k·G). */
export function verifyShare(commitments: readonly Point[], x: bigint, share: bigint): boolean {
  return baseMul(share).equals(evaluateCommitment(commitments, x));
}

/** Lagrange coefficient λ_i at 0 for the set `xs` (RFC 9591 §4.2 derive_interpolating_value). */
export function lagrangeAtZero(xs: readonly bigint[], xi: bigint): bigint {
  let num = Fn.ONE;
  let den = Fn.ONE;
  let seen = false;
  for (const x of xs) {
    if (x === xi) {
      if (seen) throw new RangeError('duplicate identifier in interpolation set');
      seen = true;
      continue;
    }
    num = Fn.mul(num, x);
    den = Fn.mul(den, Fn.sub(x, xi));
  }
  if (!seen) throw new RangeError('identifier not in interpolation set');
  return Fn.div(num, den);
}

/** Coefficient-wise sum of commitment vectors of equal length. */
export function addCommitments(vectors: readonly (readonly Point[])[]): Point[] {
  const t = vectors[0]!.length;
  const out: Point[] = new Array(t).fill(Point.ZERO);
  for (const v of vectors) for (let k = 0; k < t; k++) out[k] = out[k]!.add(v[k]!);
  return out;
}
