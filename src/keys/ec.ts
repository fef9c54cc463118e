/**
 * The group operations the key ceremonies spend their time in, each done the cheapest way
 * available in this runtime:
 *
 *  - `baseMul(k)` (k·G for a secret or public scalar): OpenSSL's constant-time Montgomery
 *    ladder through node:crypto's ECDH (`setPrivateKey`, then the public key it computes).
 *    It needs no table, so a fresh member process pays nothing up front, where noble's
 *    blinded constant-time path first builds a ~2,000-point table (~0.1 s of CPU in a cold
 *    process) and costs ~1.5× more per call afterwards.
 *  - `combine(a, points, scalars)` (a·G + Σ s_i·P_i over public, encoded data — a FROST
 *    group commitment, a signature or share check), by the first backend this process has:
 *    `libsecp256k1-multi` — Bitcoin Core's secp256k1 library compiled here from the source the
 *    `secp256k1` package ships (native/secp256k1-strauss.c): its variable-time
 *    multi-multiplication (Strauss with GLV), terms with scalar 1 added directly; ~2.5× the
 *    next backend for a 14-signer commitment; `libsecp256k1` — the same library through the
 *    package's prebuilt N-API binding (each s_i·P_i by its constant-time point multiplication,
 *    then one sum; ~9× the BigInt walk below); `openssl` — OpenSSL's interleaved-wNAF
 *    `EC_POINTs_mul` through native/secp256k1-msm.c (~3×); `noble` — the same sum by `msm`.
 *    TACIT_SECP256K1=libsecp256k1-multi|libsecp256k1|openssl|noble picks one (tests compare
 *    them). Every backend decodes, and so checks, the points it is given.
 *  - `msm(points, scalars)` (Σ s_i·P_i over parsed points, variable time): noble's interleaved
 *    wNAF walk (Strauss–Shamir) after splitting every scalar with the GLV endomorphism of
 *    secp256k1 (Gallant, Lambert & Vanstone, CRYPTO 2001: ψ(x, y) = (β·x, y) = λ·P), so all
 *    points share one ~128-step doubling chain instead of 256.
 *
 * Public scalars only go to `combine`, `msm` and `Point.BASE.multiplyUnsafe`; secrets only to
 * `baseMul`.
 */
import { createECDH } from 'node:crypto';
import { createRequire } from 'node:module';
import { mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import { _splitEndoScalar } from '@noble/curves/abstract/weierstrass.js';
import { Fn, Point, scalarBytes } from './suite.js';

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

/** a·G + Σ scalars[i]·points[i] (public inputs). */
export function baseMsm(a: bigint, points: readonly Point[], scalars: readonly bigint[]): Point {
  return msm([Point.BASE, ...points], [a, ...scalars]);
}

interface NativeSecp256k1 {
  /** 1: `out` holds the compressed sum; 0: the sum is the identity; −(i+1): point i is invalid; −(count+2): a scalar is not below the order. */
  msm(points: Uint8Array, stride: number, scalars: Uint8Array, base: Uint8Array | null, out: Uint8Array): number;
  /** −1 when every point decodes to a curve point other than the identity, else the first index that does not. */
  check(points: Uint8Array, stride: number): number;
}

interface MultiSecp256k1 {
  /** As NativeSecp256k1.msm over 33-byte points; −(count+3): the library could not allocate. */
  msm(points: Uint8Array, scalars: Uint8Array, base: Uint8Array | null, out: Uint8Array): number;
  /** −1 when every 33-byte encoding is a curve point, else the first index that is not. */
  check(points: Uint8Array): number;
}

/** The part of the `secp256k1` package's API (its native binding, not its JavaScript fallback) used here. */
interface LibSecp256k1 {
  publicKeyCreate(seckey: Uint8Array, compressed: boolean): Uint8Array;
  publicKeyTweakMul(pubkey: Uint8Array, tweak: Uint8Array, compressed: boolean): Uint8Array;
  publicKeyCombine(pubkeys: Uint8Array[], compressed: boolean): Uint8Array;
  publicKeyVerify(pubkey: Uint8Array): boolean;
}

const require = createRequire(import.meta.url);

function load<T>(path: string): T | undefined {
  try {
    return require(path) as T;
  } catch {
    return undefined; // not installed or not built here
  }
}

// `secp256k1/bindings` is the package's native binding only (its index falls back to elliptic.js, which is not wanted here).
const lib = load<LibSecp256k1>('secp256k1/bindings');
const native = load<NativeSecp256k1>('../../native/secp256k1-msm.node');
const multi = ((m) => (m && typeof m.msm === 'function' ? m : undefined))(load<MultiSecp256k1>('../../native/secp256k1-strauss.node'));

export type EcBackend = 'libsecp256k1-multi' | 'libsecp256k1' | 'openssl' | 'noble';

/** The backends this process has, fastest first (tests compare them with each other). */
export const EC_BACKENDS: readonly EcBackend[] = [
  ...(multi ? ['libsecp256k1-multi' as const] : []),
  ...(lib ? ['libsecp256k1' as const] : []),
  ...(native ? ['openssl' as const] : []),
  'noble',
];

const wanted = process.env['TACIT_SECP256K1'] as EcBackend | undefined;

/** Which arithmetic `combine` and `firstInvalidPoint` use in this process: TACIT_SECP256K1 if this process has it, else the fastest. */
export const EC_BACKEND: EcBackend = wanted && EC_BACKENDS.includes(wanted) ? wanted : EC_BACKENDS[0]!;

const COMPRESSED = 33;

/** An input to `combine` that does not decode to a curve point (other than the identity). */
export class InvalidPointError extends RangeError {
  constructor(readonly index: number) {
    super(`point ${index} is not a valid secp256k1 point`);
    this.name = 'InvalidPointError';
  }
}

function packed(parts: readonly Uint8Array[], width: number): Uint8Array {
  const out = new Uint8Array(parts.length * width);
  parts.forEach((p, i) => {
    if (p.length !== width) throw new RangeError(`expected ${width}-byte encodings`);
    out.set(p, i * width);
  });
  return out;
}

/**
 * a·G + Σ scalars[i]·points[i] over compressed points (public inputs, variable time): the
 * compressed sum, or null when it is the identity. Decoding the points checks them: one that
 * is not on the curve throws an InvalidPointError with its index.
 */
export function combine(a: bigint | null, points: readonly Uint8Array[], scalars: readonly bigint[], backend: EcBackend = EC_BACKEND): Uint8Array | null {
  if (points.length !== scalars.length) throw new RangeError('one scalar per point');
  if (backend === 'libsecp256k1' && lib) return libCombine(lib, a, points, scalars);
  if ((backend === 'openssl' && native) || (backend === 'libsecp256k1-multi' && multi)) {
    const out = new Uint8Array(COMPRESSED);
    const ps = packed(points, COMPRESSED);
    const ks = packed(scalars.map(scalarBytes), 32);
    const g = a === null ? null : scalarBytes(a);
    const status = backend === 'openssl' ? native!.msm(ps, COMPRESSED, ks, g, out) : multi!.msm(ps, ks, g, out);
    if (status === 1) return out;
    if (status === 0) return null;
    if (status >= -points.length) throw new InvalidPointError(-status - 1);
    throw new RangeError('scalar out of range');
  }
  const parsed = points.map((p, i) => {
    try {
      const q = Point.fromBytes(p);
      q.assertValidity();
      if (q.is0()) throw new RangeError('identity');
      return q;
    } catch {
      throw new InvalidPointError(i);
    }
  });
  const sum = a === null ? msm(parsed, scalars) : baseMsm(a, parsed, scalars);
  return sum.is0() ? null : sum.toBytes(true);
}

/** The index of the first compressed encoding that is not a curve point other than the identity, or −1. */
export function firstInvalidPoint(points: readonly Uint8Array[], backend: EcBackend = EC_BACKEND): number {
  if (points.some((p) => p.length !== COMPRESSED)) return points.findIndex((p) => p.length !== COMPRESSED);
  if (backend === 'libsecp256k1' && lib) return points.findIndex((p) => !lib.publicKeyVerify(p));
  if (backend === 'openssl' && native) return native.check(packed(points, COMPRESSED), COMPRESSED);
  if (backend === 'libsecp256k1-multi' && multi) return multi.check(packed(points, COMPRESSED));
  return points.findIndex((p) => {
    try {
      const q = Point.fromBytes(p);
      q.assertValidity();
      return q.is0();
    } catch {
      return true;
    }
  });
}

/** `combine` by libsecp256k1: each term by its (constant-time) point multiplication, uncompressed, then one sum. */
function libCombine(l: LibSecp256k1, a: bigint | null, points: readonly Uint8Array[], scalars: readonly bigint[]): Uint8Array | null {
  const terms: Uint8Array[] = [];
  const aa = a === null ? 0n : Fn.create(a);
  if (aa !== 0n) terms.push(l.publicKeyCreate(Fn.toBytes(aa), false));
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (p.length !== COMPRESSED) throw new InvalidPointError(i);
    const k = Fn.create(scalars[i]!);
    if (k === 0n) {
      if (!l.publicKeyVerify(p)) throw new InvalidPointError(i);
      continue;
    }
    try {
      terms.push(k === 1n ? p : l.publicKeyTweakMul(p, Fn.toBytes(k), false));
    } catch {
      throw new InvalidPointError(i);
    }
  }
  if (!terms.length) return null;
  try {
    return l.publicKeyCombine(terms, true);
  } catch (e) {
    // A point taken as it is (scalar 1) that does not parse, or a sum at infinity.
    const bad = points.findIndex((p, i) => Fn.create(scalars[i]!) === 1n && !l.publicKeyVerify(p));
    if (bad !== -1) throw new InvalidPointError(bad);
    if (/not valid/.test(String((e as Error).message))) return null;
    throw e;
  }
}
