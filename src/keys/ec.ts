/**
 * The group operations the key ceremonies spend their time in, each done the cheapest way
 * available in this runtime:
 *
 *  - `baseMul(k)` (k·G for a secret or public scalar): OpenSSL's constant-time Montgomery
 *    ladder through node:crypto's ECDH (`setPrivateKey`, then the public key it computes).
 *    It needs no table, so a fresh member process pays nothing up front, where noble's
 *    blinded constant-time path first builds a ~2,000-point table (~0.1 s of CPU in a cold
 *    process) and costs ~1.5× more per call afterwards.
 *  - `msm(points, scalars)` (Σ s_i·P_i over public data, variable time): noble's interleaved
 *    wNAF walk (Strauss–Shamir) after splitting every scalar with the GLV endomorphism of
 *    secp256k1 (Gallant, Lambert & Vanstone, CRYPTO 2001: ψ(x, y) = (β·x, y) = λ·P), so all
 *    points share one ~128-step doubling chain instead of 256.
 *  - `verifyCombination(z, Y, c, R)` (z·G − c·Y = R, the aggregate check): the GLV MSM for the
 *    first uses of a group key in a process; from the third, G and Y get precomputed wNAF tables
 *    (window 4: 520 points each, built once per process), then 2 × 65 additions and no
 *    doublings — so a one-shot process does not pay for tables it would not reuse.
 *
 * Public scalars only go to `msm`, `tabled` points and `Point.BASE.multiplyUnsafe`; secrets
 * only to `baseMul`.
 */
import { createECDH } from 'node:crypto';
import { mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import { _splitEndoScalar } from '@noble/curves/abstract/weierstrass.js';
import { Fn, Point } from './suite.js';

const ecdh = createECDH('secp256k1');

/** k·G with OpenSSL's constant-time ladder; 0·G is the identity. */
export function baseMul(k: bigint): Point {
  if (k === 0n) return Point.ZERO;
  ecdh.setPrivateKey(Fn.toBytes(Fn.create(k)));
  return Point.fromBytes(ecdh.getPublicKey(null, 'uncompressed'));
}

/** secp256k1's GLV endomorphism: β (a cube root of unity mod p) and the reduced lattice basis (SEC 2 / GLV 2001). */
const BETA = 0x7ae96a2b657c07106e64479eac3434e99cf0497512f58995c1396c28719501een;
const BASIS: [[bigint, bigint], [bigint, bigint]] = [
  [0x3086d221a7d46bcde86c90e49284eb15n, -0xe4437ed6010e88286f547fa90abfe4c3n],
  [0x114ca50f7a8e2f3f657c1108d9d44cfd8n, 0x3086d221a7d46bcde86c90e49284eb15n],
];

/** Σ scalars[i]·points[i] over public inputs (variable time). */
export function msm(points: readonly Point[], scalars: readonly bigint[]): Point {
  const ps: Point[] = [];
  const ks: bigint[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const k = Fn.create(scalars[i]!);
    if (k === 0n || p.is0()) continue;
    const { k1neg, k1, k2neg, k2 } = _splitEndoScalar(k, BASIS, Fn.ORDER);
    const psi = new Point(Point.Fp.mul(p.X, BETA), p.Y, p.Z);
    ps.push(k1neg ? p.negate() : p, k2neg ? psi.negate() : psi);
    ks.push(k1, k2);
  }
  return ps.length ? mulAddUnsafe(Point, ps, ks) : Point.ZERO;
}

/** Group keys seen by `verifyCombination` in this process: uses so far, and the tabled copy once built (the 32 most recent). */
const repeated = new Map<string, { uses: number; tabled?: Point }>();
let tabledBase: Point | undefined;

/** z·G − c·Y = R for public z, c, Y (the aggregate check of a signature). */
export function verifyCombination(z: bigint, Y: Point, c: bigint, R: Point): boolean {
  const key = `${Y.X}:${Y.Y}:${Y.Z}`;
  let e = repeated.get(key);
  if (!e) {
    if (repeated.size >= 32) repeated.delete(repeated.keys().next().value!);
    repeated.set(key, (e = { uses: 0 }));
  }
  if (++e.uses <= 2) return baseMsm(z, [Y], [Fn.neg(c)]).equals(R);
  // noble's own BASE table is window 6 (1,408 points, ~0.1 s to build in a cold process): G gets a window-4 copy.
  tabledBase ??= new Point(Point.BASE.X, Point.BASE.Y, Point.BASE.Z).precompute(4, true);
  e.tabled ??= new Point(Y.X, Y.Y, Y.Z).precompute(4, true);
  return tabledBase.multiplyUnsafe(z).subtract(e.tabled.multiplyUnsafe(c)).equals(R);
}

/** a·G + Σ scalars[i]·points[i] (public inputs). */
export function baseMsm(a: bigint, points: readonly Point[], scalars: readonly bigint[]): Point {
  return msm([Point.BASE, ...points], [a, ...scalars]);
}
