/**
 * The commutative blinding of DH-PSI (Meadows 1986; Huberman, Franklin and Hogg 1999): a
 * party's secret scalar k maps a point's u-coordinate to X25519(k, u) (RFC 7748 §5). Scalar
 * multiplication commutes, so X25519(a, X25519(b, u)) = X25519(b, X25519(a, u)), and X25519's
 * clamping makes every k a multiple of 8, which also clears Curve25519's cofactor.
 *
 * Why node:crypto and how: OpenSSL's X25519 is ~30x faster than pure JavaScript (noble:
 * ~1.6 ms an operation here), but Node only exposes it as `diffieHellman()` on KeyObjects,
 * so every point needs a public KeyObject. Measured on this machine (µs per point):
 * KeyObject from SPKI DER 146, from webcrypto `importKey('raw')` 33, from a JWK 11;
 * `diffieHellman` 53 (OpenSSL's own `speed` says 48 for the bare X25519). So each point goes
 * in as a JWK `{ kty: 'OKP', crv: 'X25519', x }`: ~65 µs in all.
 *
 * Checks on points from peers: the encoding must be canonical (u < 2^255 - 19, top bit clear;
 * X25519 would otherwise silently reduce it, so two encodings could stand for one point), and
 * the product must not be the all-zero output of a small-order point (RFC 7748 §6.1), which
 * OpenSSL refuses. Points on the twist are not rejected: that costs an exponentiation each,
 * and the twist is secure too (RFC 7748 §7), so a peer gains nothing by sending them.
 *
 * The key is a fresh random X25519 private key per session, never exported. Node cannot wipe
 * a KeyObject on demand: `destroy()` drops the only reference, and OpenSSL clears the scalar
 * (OPENSSL_secure_clear_free) when the garbage collector frees it.
 */
import { createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';

export const POINT_BYTES = 32;

/** Why a point was refused, and where it was in the batch. */
export class InvalidPointError extends Error {
  override name = 'InvalidPointError';
  constructor(readonly index: number, readonly reason: string) {
    super(`point ${index}: ${reason}`);
  }
}

/** True if bytes [off, off + 32) are a canonical u-coordinate: little-endian, below 2^255 - 19. */
export function isCanonicalU(b: Uint8Array, off: number): boolean {
  const top = b[off + 31]!;
  if (top < 0x7f) return true;
  if (top > 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (b[off + i] !== 0xff) return true;
  return b[off]! < 0xed;
}

export class MaskingKey {
  #key: KeyObject | undefined = generateKeyPairSync('x25519').privateKey;
  /** Scalar multiplications done with this key, and the seconds they took. */
  count = 0;
  seconds = 0;

  /**
   * out[i] = X25519(k, points[i]) for the `points.length / 32` points; `out` may be `points`.
   * Throws `InvalidPointError` for a non-canonical or small-order point.
   */
  mask(points: Uint8Array, out: Uint8Array): void {
    const key = this.#key;
    if (!key) throw new Error('MaskingKey used after destroy()');
    const n = points.length / POINT_BYTES;
    if (!Number.isInteger(n) || out.length < points.length) throw new RangeError('mask: points must be whole 32-byte values and out as long');
    const src = Buffer.from(points.buffer, points.byteOffset, points.byteLength);
    const t0 = performance.now();
    for (let i = 0, off = 0; i < n; i++, off += POINT_BYTES) {
      if (!isCanonicalU(src, off)) throw new InvalidPointError(i, 'not a canonical u-coordinate');
      const x = src.toString('base64url', off, off + POINT_BYTES);
      let shared: Buffer;
      try {
        shared = diffieHellman({ privateKey: key, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' }) });
      } catch (err) {
        throw new InvalidPointError(i, `X25519 refused it (small order?): ${(err as { code?: string }).code ?? 'error'}`);
      }
      out.set(shared, off);
    }
    this.count += n;
    this.seconds += (performance.now() - t0) / 1000;
  }

  destroy(): void {
    this.#key = undefined;
  }
}
