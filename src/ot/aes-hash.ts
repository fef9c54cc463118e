/**
 * AES as the random permutation and the correlation-robust hash of OT extension.
 *
 * IKNP-style extension needs a hash H for which H(q ⊕ Δ) looks random even to someone who
 * knows q (correlation robustness, Ishai–Kilian–Nissim–Petrank 2003). We use fixed-key AES
 * in Matyas–Meyer–Oseas form, H(x) = π(x) ⊕ x with π = AES-128 under a public key, which
 * Guo, Katz, Wang and Yu (IEEE S&P 2020, "Efficient and Secure Multiparty Computation from
 * Fixed-Key Block Ciphers", §7) prove correlation robust in the random-permutation model —
 * the property the semi-honest IKNP proof uses. Every call is one AES-128-ECB pass from
 * OpenSSL (AES-NI) over a whole batch, never one block at a time.
 */
import { createCipheriv, createHash, type Cipher } from 'node:crypto';
import { ecbInto } from './aes-native.js';
import { compact, expandKeys, xorBytes } from './kernel.js';

/** A public key: nothing up the sleeve (SHA-256 of a label, first 16 bytes). */
export const FIXED_KEY = createHash('sha256').update('tacit/ot/fixed-key-aes/v1').digest().subarray(0, 16);

let cipher: Cipher | undefined;
function permutation(): Cipher {
  if (!cipher) {
    cipher = createCipheriv('aes-128-ecb', FIXED_KEY, null);
    cipher.setAutoPadding(false);
  }
  return cipher;
}

/** π(x) for every 16-byte block of `blocks` (ECB is stateless, so one cipher serves all calls). */
export function fixedKeyAes(blocks: Uint8Array): Uint8Array {
  if (blocks.length % 16) throw new RangeError('fixedKeyAes: input is not whole blocks');
  const out = permutation().update(blocks);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** π(x) for every block of `blocks` into `out` (no allocation with the native shim, src/ot/aes-native.ts). */
export function fixedKeyAesInto(blocks: Uint8Array, out: Uint8Array): void {
  ecbInto(FIXED_KEY, blocks, out);
}

/** H(x) = π(x) ⊕ x for every block. */
export function crHash(blocks: Uint8Array): Uint8Array {
  return xorBytes(fixedKeyAes(blocks), blocks);
}

/**
 * H applied to each 16-byte row and stretched to `words` u64 per row: row j ⊕ t for
 * t < ⌈words/2⌉ are hashed (distinct inputs, one ECB pass) and the first `words` words kept.
 */
export function hashToWords(rows: Uint8Array, words: number): BigUint64Array {
  const count = rows.length / 16;
  const blocks = Math.ceil(words / 2);
  const input = blocks === 1 ? rows : expandKeys(rows, blocks);
  return compact(crHash(input), count, blocks, words);
}
