/**
 * Paillier encryption, decryption and the homomorphic operations (Paillier 1999 with
 * g = n + 1, so g^m = 1 + m·n mod n² needs no exponentiation):
 *   Enc(m) = (1 + m·n)·ρ mod n²,  Dec by CRT (Paillier 1999 §7: m_p = L_p(c^(p−1) mod p²)·h_p
 *   mod p, likewise mod q, recombined by Garner), the two half-size powers through OpenSSL;
 *   Enc(a)·Enc(b) = Enc(a + b), Enc(a)^k = Enc(k·a), Enc(a)^(−1) = Enc(−a).
 * Plaintexts are residues mod n; `encoding.ts` maps signed fixed-point numbers onto them and
 * `packing.ts` puts several small values into one. Ciphertexts are BigInts in memory and
 * fixed-length big-endian bytes on the wire; anything else is refused (`HeCiphertextError`).
 */
import { mod, modInverse, modPowBigInt, toBytes, fromBytes, gcd } from './bigint.js';
import { HeCiphertextError, HeEncodingError } from './errors.js';
import { assertInteger } from '../errors.js';
import type { PaillierPrivateKey, PaillierPublicKey } from './keys.js';
import { FixedExponent } from './modexp.js';
import { ObfuscatorSource } from './obfuscator.js';
import { HE_NATIVE, NativeModulus, type NativeCrtKey } from './native.js';

const sources = new WeakMap<PaillierPublicKey, ObfuscatorSource>();
function sourceOf(key: PaillierPublicKey): ObfuscatorSource {
  let s = sources.get(key);
  if (!s) sources.set(key, (s = new ObfuscatorSource(key)));
  return s;
}

function checkPlaintext(key: PaillierPublicKey, m: bigint): bigint {
  if (typeof m !== 'bigint') throw new HeEncodingError('a Paillier plaintext must be a bigint (use encoding.ts for numbers)');
  if (m < 0n || m >= key.n) throw new HeEncodingError(`a plaintext must lie in [0, n); reduce it mod n or encode it signed`);
  return m;
}

/** Enc(m) with a fresh ρ, or with a ρ made ahead (from a RandomnessPool). */
export function encrypt(key: PaillierPublicKey, m: bigint, rho?: bigint): bigint {
  checkPlaintext(key, m);
  const r = rho ?? sourceOf(key).next();
  return ((1n + m * key.n) * r) % key.n2;
}

/**
 * Enc(m_i) for many plaintexts with randomness made ahead (`RandomnessPool.takeBytes`), as
 * serialized ciphertexts: (1 + m·n) · ρ mod n², the products in the native kernel when built.
 */
const nativeMods = new WeakMap<PaillierPublicKey, NativeModulus>();
export function encryptManyBytes(key: PaillierPublicKey, ms: readonly bigint[], rhoBytes: Uint8Array): Uint8Array {
  const w = key.cipherBytes;
  if (rhoBytes.length !== ms.length * w) throw new HeCiphertextError(`need ${ms.length} randomness values, got ${rhoBytes.length / w}`);
  if (HE_NATIVE && key.backend === 'openssl') {
    let nm = nativeN.get(key);
    if (!nm) nativeN.set(key, (nm = new NativeModulus(HE_NATIVE, key.n, key.nBytes)));
    const m = Buffer.alloc(ms.length * key.nBytes);
    ms.forEach((x, i) => toBytes(checkPlaintext(key, x), key.nBytes).copy(m, i * key.nBytes));
    try {
      return nm.encryptMany(m, rhoBytes, w);
    } catch {
      throw new HeCiphertextError('a randomness value is not in (0, n²)');
    }
  }
  const out = Buffer.alloc(ms.length * w);
  for (let i = 0; i < ms.length; i++) {
    const rho = checkCiphertext(key, fromBytes(rhoBytes.subarray(i * w, (i + 1) * w)));
    toBytes(((1n + checkPlaintext(key, ms[i]!) * key.n) * rho) % key.n2, w).copy(out, i * w);
  }
  return out;
}
const nativeN = new WeakMap<PaillierPublicKey, NativeModulus>();

/** A fresh ρ for `key` (the costly part of an encryption). */
export function obfuscator(key: PaillierPublicKey): bigint {
  return sourceOf(key).next();
}

/** Enc(m) with ρ = 1: deterministic, for values the other side may know (sums' identity, public constants). */
export function encryptPublic(key: PaillierPublicKey, m: bigint): bigint {
  checkPlaintext(key, m);
  return (1n + m * key.n) % key.n2;
}

export function checkCiphertext(key: PaillierPublicKey, c: bigint): bigint {
  if (typeof c !== 'bigint' || c <= 0n || c >= key.n2) throw new HeCiphertextError('a ciphertext must be an integer in (0, n²)');
  return c;
}

/** Options of a decryption: `threads` > 1 runs the native kernel's two CRT halves (or a batch's runs) on that many threads. */
export interface DecryptOptions {
  threads?: number;
}

function threadsOf(opts: DecryptOptions | undefined): number {
  const t = opts?.threads ?? 1;
  assertInteger(t, 'decryption threads', 1, 16);
  return t;
}

export function decrypt(sk: PaillierPrivateKey, c: bigint, opts?: DecryptOptions): bigint {
  checkCiphertext(sk.publicKey, c);
  const threads = threadsOf(opts);
  const nat = sk.native;
  if (nat) return fromBytes(decryptNative(sk, nat, toBytes(c, nat.cipherBytes), threads));
  const cp = c % sk.p2, cq = c % sk.q2;
  if (cp % sk.p === 0n || cq % sk.q === 0n) throw notDecryptable(sk);
  // x = c^e mod p² is ≡ 1 mod p for every unit when e = p − 1, and for the key's ciphertexts when e = α_p.
  const xp = sk.powP.pow(cp) - 1n, xq = sk.powQ.pow(cq) - 1n;
  if (xp % sk.p !== 0n || xq % sk.q !== 0n) throw notDecryptable(sk);
  const mp = ((xp / sk.p) * sk.hp) % sk.p;
  const mq = ((xq / sk.q) * sk.hq) % sk.q;
  return mq + sk.q * mod((mp - mq) * sk.qInvP, sk.p);
}

function notDecryptable(sk: PaillierPrivateKey): HeCiphertextError {
  return new HeCiphertextError(
    sk.subgroup
      ? 'the ciphertext is not a unit mod n² or its randomness is not in this key’s subgroup (was it made with this short-decryption key’s h_s?)'
      : 'the ciphertext is not a unit mod n² (it shares a factor with n)',
  );
}

function decryptNative(sk: PaillierPrivateKey, nat: NativeCrtKey, cts: Uint8Array, threads: number): Uint8Array {
  try {
    return nat.decryptMany(cts, threads);
  } catch {
    throw notDecryptable(sk);
  }
}

/**
 * Dec of serialized ciphertexts (`cipherBytes` each), as plaintext bytes (`nBytes` each,
 * big-endian): the whole CRT decryption in the native kernel when built, else one `decrypt`
 * per ciphertext. For the key holder that decrypts many at once (SecureBoost histograms).
 * `threads` > 1 splits the batch across that many native threads (the BigInt path ignores it).
 */
export function decryptManyBytes(sk: PaillierPrivateKey, cts: Uint8Array, opts?: DecryptOptions): Uint8Array {
  const pk = sk.publicKey, w = pk.cipherBytes;
  if (cts.length % w) throw new HeCiphertextError(`malformed ciphertext block: ${cts.length} bytes is not a whole number of × ${w}`);
  const threads = threadsOf(opts);
  const nat = sk.native;
  if (nat) return decryptNative(sk, nat, cts, threads);
  const out = new Uint8Array((cts.length / w) * pk.nBytes);
  for (let i = 0; i < cts.length / w; i++) out.set(toBytes(decrypt(sk, fromBytes(cts.subarray(i * w, (i + 1) * w))), pk.nBytes), i * pk.nBytes);
  return out;
}

/** Enc(a + b). */
export function add(key: PaillierPublicKey, a: bigint, b: bigint): bigint {
  return (a * b) % key.n2;
}

/** Enc(a + m) for a plaintext m. */
export function addPlain(key: PaillierPublicKey, c: bigint, m: bigint): bigint {
  return (c * (1n + mod(m, key.n) * key.n)) % key.n2;
}

/** Enc(−a). */
export function negate(key: PaillierPublicKey, c: bigint): bigint {
  try {
    return modInverse(c, key.n2);
  } catch {
    throw new HeCiphertextError('the ciphertext is not a unit mod n²');
  }
}

/** Enc(a − b). */
export function sub(key: PaillierPublicKey, a: bigint, b: bigint): bigint {
  return (a * negate(key, b)) % key.n2;
}

function nativeModOf(key: PaillierPublicKey): NativeModulus | undefined {
  if (!HE_NATIVE || key.backend !== 'openssl') return undefined;
  let nm = nativeMods.get(key);
  if (!nm) nativeMods.set(key, (nm = new NativeModulus(HE_NATIVE, key.n2, key.cipherBytes)));
  return nm;
}

/** Enc(k·a) for a signed integer k (negative k through the inverse, so the exponent stays short). */
export function mulPlain(key: PaillierPublicKey, c: bigint, k: bigint): bigint {
  checkCiphertext(key, c);
  if (k < 0n) return mulPlain(key, negate(key, c), -k);
  const nm = nativeModOf(key);
  if (nm && k > 0n) {
    const eb = Math.ceil(k.toString(16).length / 2);
    return fromBytes(nm.powMany(toBytes(c, key.cipherBytes), toBytes(k, eb), eb));
  }
  return modPowBigInt(c, k, key.n2);
}

/** Enc(a + 0) with fresh randomness: unlinks a ciphertext from the ones it was made from. */
export function rerandomize(key: PaillierPublicKey, c: bigint, rho?: bigint): bigint {
  return (c * (rho ?? sourceOf(key).next())) % key.n2;
}

/** c^(2^bits) = Enc(a·2^bits): shifts a plaintext left by `bits` through OpenSSL (one object per key and width). */
const shifters = new WeakMap<PaillierPublicKey, Map<number, FixedExponent>>();
export function shiftLeft(key: PaillierPublicKey, c: bigint, bits: number): bigint {
  let m = shifters.get(key);
  if (!m) shifters.set(key, (m = new Map()));
  let f = m.get(bits);
  if (!f) m.set(bits, (f = new FixedExponent(key.n2, 1n << BigInt(bits), key.backend)));
  return f.pow(c);
}

// ---- wire format: fixed-length big-endian, n² bytes each ----

export function serializeCiphertexts(key: PaillierPublicKey, cs: readonly bigint[]): Uint8Array {
  const w = key.cipherBytes;
  const out = Buffer.alloc(cs.length * w);
  cs.forEach((c, i) => toBytes(checkCiphertext(key, c), w).copy(out, i * w));
  return out;
}

export function deserializeCiphertexts(key: PaillierPublicKey, bytes: Uint8Array, count?: number): bigint[] {
  const w = key.cipherBytes;
  if (bytes.length % w !== 0 || (count !== undefined && bytes.length !== count * w)) {
    throw new HeCiphertextError(`malformed ciphertext block: ${bytes.length} bytes is not ${count ?? 'a whole number of'} × ${w}`);
  }
  const out: bigint[] = new Array(bytes.length / w);
  for (let i = 0; i < out.length; i++) out[i] = checkCiphertext(key, fromBytes(bytes.subarray(i * w, (i + 1) * w)));
  return out;
}

/** Full check that c ∈ Z*_{n²} (one gcd): for ciphertexts a party will decrypt-and-reveal. */
export function isUnit(key: PaillierPublicKey, c: bigint): boolean {
  return c > 0n && c < key.n2 && gcd(c, key.n) === 1n;
}
