/**
 * A seeded pseudo-random generator: the AES-128-CTR keystream of a 16-byte seed (NIST
 * SP 800-38A §6.5), from OpenSSL through node:crypto, which uses AES-NI here.
 *
 * Two parties holding the same seed draw the same stream in the same order; that is how
 * replicated zero-sharings (Araki et al. 2016), dealer-derived shares and masks are made
 * without a message. The stream is consumed in 64 KiB steps (measured fastest on this
 * machine: ~3 GB/s, against ~1 GB/s for one large call).
 */
import { createCipheriv, randomBytes, type Cipher } from 'node:crypto';

const STEP = 65536;
const ZEROS = new Uint8Array(STEP);

export const SEED_BYTES = 16;

export class Prg {
  #cipher: Cipher;

  constructor(seed: Uint8Array) {
    if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) {
      throw new TypeError(`Prg seed must be a Uint8Array of ${SEED_BYTES} bytes`);
    }
    this.#cipher = createCipheriv('aes-128-ctr', seed, new Uint8Array(16));
  }

  /** A generator with a fresh seed from the OS CSPRNG. */
  static random(): Prg {
    return new Prg(randomBytes(SEED_BYTES));
  }

  /** Overwrites `out` with the next bytes of the stream. */
  fill<T extends Uint8Array | BigUint64Array>(out: T): T {
    const bytes = out instanceof Uint8Array ? out : new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    for (let off = 0; off < bytes.length; off += STEP) {
      const len = Math.min(STEP, bytes.length - off);
      bytes.set(this.#cipher.update(len === STEP ? ZEROS : ZEROS.subarray(0, len)), off);
    }
    return out;
  }

  /** `n` fresh ring elements (the array is not zero-filled first: `fill` overwrites every byte). */
  ring(n: number): BigUint64Array {
    return this.fill(new BigUint64Array(Buffer.allocUnsafeSlow(8 * n).buffer, 0, n));
  }

  /** A fresh 16-byte seed drawn from this stream (to derive sub-generators). */
  seed(): Uint8Array {
    return this.fill(new Uint8Array(SEED_BYTES));
  }
}
