/**
 * Polynomials on secret-shared fixed-point tensors.
 *
 * Coefficients are fitted here, in float64, at module load, by interpolation at Chebyshev
 * nodes (near-minimax; Trefethen, "Approximation Theory and Approximation Practice", ch. 8)
 * rather than pasted in as magic numbers, so the degree and interval of every
 * approximation can be changed in one place and checked by the tests.
 *
 * Evaluation computes the powers x^2..x^d in ⌈log2 d⌉ levels, one batched product per
 * level, then the weighted sum with a single truncation: each c_j·x^j is formed at scale
 * 2f and truncated once in total.
 */
import { fixedScalar } from '../fixed-point.js';
import { addParts, concatParts, mulPublicParts, splitParts } from '../parts.js';
import { SecretTensor } from '../tensor.js';
import type { Parts } from '../protocol.js';
import type { Mpc } from '../engine.js';

/** Monomial coefficients c_0..c_d of the interpolant of `f` at d+1 Chebyshev nodes of [lo, hi]. */
export function fitChebyshev(f: (x: number) => number, lo: number, hi: number, degree: number): number[] {
  const m = degree + 1;
  const xs: number[] = [];
  for (let i = 0; i < m; i++) xs.push((lo + hi) / 2 + ((hi - lo) / 2) * Math.cos(((2 * i + 1) * Math.PI) / (2 * m)));
  // Solve the Vandermonde system V c = f(x) by Gaussian elimination with partial pivoting.
  const A = xs.map((x) => {
    const row: number[] = [];
    for (let j = 0; j < m; j++) row.push(x ** j);
    row.push(f(x));
    return row;
  });
  for (let col = 0; col < m; col++) {
    let piv = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[piv]![col]!)) piv = r;
    [A[col], A[piv]] = [A[piv]!, A[col]!];
    for (let r = 0; r < m; r++) {
      if (r === col) continue;
      const k = A[r]![col]! / A[col]![col]!;
      for (let c = col; c <= m; c++) A[r]![c]! -= k * A[col]![c]!;
    }
  }
  return A.map((row, i) => row[m]! / row[i]!);
}

/** Evaluates a polynomial in plaintext (for references and error bounds). */
export function horner(coeffs: readonly number[], x: number): number {
  let y = 0;
  for (let j = coeffs.length - 1; j >= 0; j--) y = y * x + coeffs[j]!;
  return y;
}

/**
 * Shares of [u, u^2, ..., u^d] for n elements carried with `bits` fractional bits, in
 * ⌈log2 d⌉ levels: u^j = u^have · u^(j − have), all j of a level in one product.
 */
export async function powerParts(mpc: Mpc, u: Parts, n: number, d: number, bits: number): Promise<Parts[]> {
  const pw: Parts[] = [u];
  let have = 1;
  while (have < d) {
    const todo: number[] = [];
    for (let j = have + 1; j <= Math.min(2 * have, d); j++) todo.push(j);
    const prod = await mpc.protocol.mulTruncA(concatParts(...todo.map(() => pw[have - 1]!)), concatParts(...todo.map((j) => pw[j - have - 1]!)), n * todo.length, bits);
    pw.push(...splitParts(prod, todo.map(() => n)));
    have = Math.min(2 * have, d);
  }
  return pw;
}

/** [x, x^2, ..., x^d] of a fixed-point tensor. */
export async function powers(mpc: Mpc, x: SecretTensor, d: number): Promise<SecretTensor[]> {
  return (await powerParts(mpc, x.parts, x.size, d, mpc.fracBits)).map((p) => new SecretTensor(x.shape, 'fxp', p));
}

/** Σ c_j x^j from precomputed powers (pw[j−1] = x^j), with one truncation. */
export async function evalPolynomial(mpc: Mpc, pw: SecretTensor[], coeffs: readonly number[]): Promise<SecretTensor> {
  const f = mpc.fracBits;
  const n = pw[0]!.size;
  let acc = mulPublicParts(pw[0]!.parts, fixedScalar(coeffs[1] ?? 0, f));
  for (let j = 2; j < coeffs.length; j++) acc = addParts(acc, mulPublicParts(pw[j - 1]!.parts, fixedScalar(coeffs[j]!, f)));
  acc = mpc.protocol.addPublicA(acc, fixedScalar(coeffs[0]!, 2 * f), n);
  return new SecretTensor(pw[0]!.shape, 'fxp', await mpc.protocol.truncA(acc, n, f));
}

/** Squares x `times` times (x^(2^times)). */
export async function repeatedSquare(mpc: Mpc, x: SecretTensor, times: number): Promise<SecretTensor> {
  let y = x;
  for (let i = 0; i < times; i++) y = await mpc.mul(y, y);
  return y;
}
