/**
 * The one ciphersuite Tacit's threshold keys use: FROST(secp256k1, SHA-256) of RFC 9591
 * §6.5, as implemented by `@noble/curves` (`secp256k1_FROST`, checked against the RFC's
 * Appendix E.5 vectors in test/keys/rfc9591-frost.test.ts). Everything else in src/keys
 * (key generation, refresh, resharing) is built here from the same group, scalar field and
 * hash-to-field, so there is exactly one place that names the curve.
 *
 * Identifiers: a member's FROST identifier is the scalar of its 1-based position in the
 * member list of the epoch (RFC 9591 §5 lets identifiers be any distinct non-zero scalars).
 */
import { secp256k1, secp256k1_FROST, secp256k1_hasher } from '@noble/curves/secp256k1.js';
import { ECDH, hash } from 'node:crypto';

export const FROST = secp256k1_FROST;
export const Point = secp256k1.Point;
export type Point = InstanceType<typeof secp256k1.Point>;
export const Fn = secp256k1.Point.Fn;
/** RFC 9591 §6.5 contextString. */
export const CONTEXT_STRING = 'FROST-secp256k1-SHA256-v1';
export const SCALAR_BYTES = 32;
export const POINT_BYTES = 33;

const enc = new TextEncoder();

const Z_PAD = new Uint8Array(64);
const L_I_B = Uint8Array.of(0, 48, 0); // I2OSP(48, 2) ‖ I2OSP(0, 1)
const dstPrimes = new Map<string, Buffer>();

/**
 * hash_to_field(msg, 1) of RFC 9380 §5.2 with expand_message_xmd(SHA-256) (§5.3.1, 48 bytes,
 * L = 48 for k = 128) and domain contextString ‖ `dst`, as the suite's H1–H3 — the same
 * function as noble's `secp256k1_hasher.hashToScalar` (checked in the RFC vector test), with
 * the three SHA-256 blocks run by node:crypto's one-shot `hash` over one buffer each (a
 * signer hashes fifteen of these per signature; no Hash object per block).
 */
export function hashToScalar(dst: string, ...parts: Uint8Array[]): bigint {
  let dstPrime = dstPrimes.get(dst);
  if (!dstPrime) {
    const d = enc.encode(CONTEXT_STRING + dst);
    if (d.length > 255) throw new RangeError('DST too long');
    dstPrime = Buffer.concat([d, Uint8Array.of(d.length)]);
    dstPrimes.set(dst, dstPrime);
  }
  let n = Z_PAD.length + L_I_B.length + dstPrime.length;
  for (const p of parts) n += p.length;
  const msg = Buffer.allocUnsafe(n);
  msg.set(Z_PAD, 0);
  let o = Z_PAD.length;
  for (const p of parts) {
    msg.set(p, o);
    o += p.length;
  }
  msg.set(L_I_B, o);
  msg.set(dstPrime, o + L_I_B.length);
  const b0 = hash('sha256', msg, 'buffer');
  const next = Buffer.allocUnsafe(33 + dstPrime.length);
  next.set(b0, 0);
  next[32] = 1;
  next.set(dstPrime, 33);
  const b1 = hash('sha256', next, 'buffer');
  for (let i = 0; i < 32; i++) next[i] = b0[i]! ^ b1[i]!;
  next[32] = 2;
  const b2 = hash('sha256', next, 'buffer');
  return Fn.create(BigInt('0x' + b1.toString('hex') + b2.toString('hex', 0, 16)));
}

/** A scalar's 32-byte big-endian encoding (Fn.toBytes without noble's JavaScript hex loop). */
export function scalarBytes(k: bigint): Uint8Array {
  return new Uint8Array(Buffer.from(Fn.create(k).toString(16).padStart(64, '0'), 'hex'));
}

/** noble's hash_to_field, the reference `hashToScalar` is tested against. */
export function nobleHashToScalar(dst: string, ...parts: Uint8Array[]): bigint {
  return secp256k1_hasher.hashToScalar(concat(...parts), { DST: enc.encode(CONTEXT_STRING + dst) });
}

/** SHA-256 of the concatenation (node:crypto). */
export function digest(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(hash('sha256', parts.length === 1 ? parts[0]! : concat(...parts), 'buffer'));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const utf8 = (s: string): Uint8Array => enc.encode(s);
export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export function fromHex(s: string): Uint8Array<ArrayBuffer> {
  if (typeof s !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(s)) throw new TypeError('expected a hex string');
  const b = Buffer.from(s, 'hex');
  const out = new Uint8Array(b.length);
  out.set(b);
  return out;
}

export const scalarToHex = (x: bigint): string => Fn.create(x).toString(16).padStart(64, '0');
export const pointToHex = (p: Point): string => toHex(p.toBytes(true));

/** The FROST identifier (hex scalar, noble's form) of the member at 1-based `position`. */
export function identifierOf(position: number): string {
  return FROST.Identifier.fromNumber(position);
}

const identifiers = new Map<string, bigint>();

/** An identifier's scalar (memoized: a signer looks up every co-signer's on every signature). */
export function identifierScalar(id: string): bigint {
  let k = identifiers.get(id);
  if (k === undefined) {
    k = Fn.fromBytes(fromHex(id));
    if (identifiers.size < 4096) identifiers.set(id, k);
  }
  return k;
}

/**
 * Parses a compressed point; null when it is not a valid non-identity curve point. The
 * square root of decompression is done by OpenSSL (`ECDH.convertKey`), several times faster
 * than in bigints; noble then re-checks the uncompressed point is on the curve.
 */
export function tryPoint(hex: unknown): Point | null {
  if (typeof hex !== 'string' || hex.length !== POINT_BYTES * 2 || !/^0[23][0-9a-fA-F]{64}$/.test(hex)) return null;
  try {
    const p = Point.fromBytes(new Uint8Array(ECDH.convertKey(hex, 'secp256k1', 'hex', undefined, 'uncompressed') as Buffer));
    p.assertValidity();
    return p.is0() ? null : p;
  } catch {
    return null;
  }
}

/** `tryPoint` for data already checked once (a stored key record); throws on a bad encoding. */
export function parsePoint(hex: string): Point {
  const p = tryPoint(hex);
  if (!p) throw new TypeError('expected a compressed secp256k1 point');
  return p;
}

/** Parses a canonical scalar (< n); null otherwise. */
export function tryScalar(hex: unknown): bigint | null {
  if (typeof hex !== 'string' || hex.length !== SCALAR_BYTES * 2 || !/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  const k = BigInt('0x' + hex);
  return k < Fn.ORDER ? k : null;
}

/** A uniformly random non-zero scalar (48 random bytes reduced mod n, FIPS 186-5 A.2.1 style; no point multiplication). */
export function randomScalar(): bigint {
  return Fn.fromBytes(secp256k1.utils.randomSecretKey());
}
