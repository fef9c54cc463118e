/**
 * Exponential: e^x = (e^(x/2^k))^(2^k), with e^v on [−1, 1] from a degree-8 Chebyshev
 * interpolant (relative error < 1e-9) and k = 5 squarings. The range reduction is a plain
 * truncation, so the whole function costs one truncation, three product levels for the
 * powers, one for the sum and five squarings — no bit decomposition.
 *
 * Domain: x ∈ [−32, ln(2^(62−2f))) — about [−32, 18] with 18 fractional bits, where the
 * result still fits in fixed point; below −32 the result is ~0 (|error| < 1e-13).
 * Relative error is dominated by fixed-point rounding amplified by the squarings: ~2^5
 * ulps, about 1e-4 with 18 fractional bits.
 */
import type { Mpc } from '../engine.js';
import type { SecretTensor } from '../tensor.js';
import { evalPolynomial, fitChebyshev, powers, repeatedSquare } from './polynomial.js';

export const EXP_SQUARINGS = 5;
export const EXP_COEFFS = fitChebyshev(Math.exp, -1, 1, 8);

export async function exp(mpc: Mpc, x: SecretTensor): Promise<SecretTensor> {
  const v = await mpc.trunc(mpc.toFxp(x), EXP_SQUARINGS);
  const pw = await powers(mpc, v, EXP_COEFFS.length - 1);
  const ev = await evalPolynomial(mpc, pw, EXP_COEFFS);
  return repeatedSquare(mpc, ev, EXP_SQUARINGS);
}
