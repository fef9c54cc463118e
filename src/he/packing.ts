/**
 * Several small signed integers in one plaintext (and so one ciphertext): slot i holds v_i
 * and the plaintext is X = Σ v_i·2^(i·w) mod n. Additions act slot by slot as long as every
 * slot's sum stays in (−2^(w−1), 2^(w−1)); unpacking reads the slots from the bottom, each
 * as a centred residue mod 2^w, carrying the borrow of a negative slot upward. This is the
 * gradient packing of SecureBoost+ (Chen et al. 2021, §4.1: g and h in one ciphertext) and,
 * with `packCiphertexts`, its cipher compression (§4.2: many histogram bins in one
 * ciphertext before decryption), Horner-style: C = (…(c_{k−1}^(2^w)·c_{k−2})^(2^w)…)·c_0.
 */
import { HeEncodingError } from './errors.js';
import type { PaillierPublicKey } from './keys.js';
import { add, shiftLeft } from './paillier.js';
import { decodeSigned, encodeSigned } from './encoding.js';

export interface SlotLayout {
  /** Bits per slot (values must stay within ±2^(w−1)). */
  width: number;
  /** Slots per plaintext. */
  slots: number;
}

/** The most slots of `width` bits that fit the signed plaintext space of `key`. */
export function layoutFor(key: PaillierPublicKey, width: number): SlotLayout {
  const slots = Math.floor((key.bits - 2) / width);
  if (slots < 1) throw new HeEncodingError(`a ${width}-bit slot does not fit a ${key.bits}-bit plaintext`);
  return { width, slots };
}

export function packSigned(key: PaillierPublicKey, values: readonly bigint[], width: number): bigint {
  if (values.length * width > key.bits - 2) throw new HeEncodingError(`${values.length} slots of ${width} bits exceed the plaintext`);
  const lim = 1n << BigInt(width - 1);
  let x = 0n;
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i]!;
    if (v >= lim || -v >= lim) throw new HeEncodingError(`slot ${i} does not fit ${width} signed bits`);
    x = (x << BigInt(width)) + v;
  }
  return encodeSigned(key, x);
}

export function unpackSigned(key: PaillierPublicKey, m: bigint, width: number, count: number): bigint[] {
  let x = decodeSigned(key, m);
  const w = BigInt(width);
  const modW = 1n << w, half = 1n << (w - 1n);
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    let v = x & (modW - 1n); // BigInt & on negatives is two's complement: the residue mod 2^w
    if (v >= half) v -= modW;
    out.push(v);
    x = (x - v) >> w;
  }
  return out;
}

/** One ciphertext holding the plaintexts of `cs` in consecutive slots of `width` bits. */
export function packCiphertexts(key: PaillierPublicKey, cs: readonly bigint[], width: number): bigint {
  if (cs.length === 0) throw new HeEncodingError('nothing to pack');
  if (cs.length * width > key.bits - 2) throw new HeEncodingError(`${cs.length} slots of ${width} bits exceed the plaintext`);
  let acc = cs[cs.length - 1]!;
  for (let i = cs.length - 2; i >= 0; i--) acc = add(key, shiftLeft(key, acc, width), cs[i]!);
  return acc;
}
