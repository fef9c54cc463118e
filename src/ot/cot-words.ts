/**
 * The per-OT word arithmetic of arithmetic correlated OT and of turning bits into arithmetic
 * shares (src/mpc/semi2k/ot-pairwise.ts, ot-bits.ts): natively on the caller's arrays where
 * native/ot-kernels.c is built (ot-kernels-cot.h: no copies, outputs written where the caller
 * says), otherwise the WebAssembly kernels of src/ot/kernel.ts (inputs copied in, outputs out).
 * Both compute the same words (test/ot/cot-words.test.ts checks them against each other and
 * against BigInt).
 */
import * as K from './kernel.js';
import { nativeOtKernels as N } from './native-kernels.js';

const bytes = (w: BigUint64Array) => new Uint8Array(w.buffer, w.byteOffset, w.byteLength);

/** Sender of arithmetic correlated OT: d_j = h0_j − h1_j + c_j (to send) and s_j = −h0_j (kept), for the words of c. */
export function cotSendWords(h0: BigUint64Array, h1: BigUint64Array, c: BigUint64Array, d: BigUint64Array, s: BigUint64Array): void {
  if (N) return N.cotSendWords(bytes(d), bytes(s), bytes(h0), bytes(h1), bytes(c));
  const got = K.cotSend(h0.subarray(0, c.length), h1.subarray(0, c.length), c);
  d.set(got.d);
  s.set(got.s);
}

/** Receiver: v_j = ht_j + r_j·d_j for the words of v, r_j bit j of `bits` (LSB first). */
export function cotRecvWords(ht: BigUint64Array, d: BigUint64Array, bits: Uint8Array, v: BigUint64Array): void {
  if (N) return N.cotRecvWords(bytes(v), bytes(ht), bytes(d), bits);
  v.set(K.cotRecv(ht.subarray(0, v.length), d.subarray(0, v.length), bits));
}

/** The low `w` bits of each word as 0/1 words: out[e·w + k] = bit k of x[e] (into `out` when given, x.length·w words). */
export function unpackBits(x: BigUint64Array, w: number, out?: BigUint64Array): BigUint64Array {
  if (!N) {
    const got = K.unpackBits(x, w);
    if (!out) return got;
    out.set(got);
    return out;
  }
  out ??= new BigUint64Array(x.length * w);
  N.unpackBitWords(bytes(out), bytes(x), w);
  return out;
}

/** out[e] = Σ_k w[k]·x[e·64 + k] (mod 2^64) for e < n: weighted sums of 64 arithmetic bit shares. */
export function weightedSum(x: BigUint64Array, w: BigUint64Array, n: number): BigUint64Array {
  if (!N) return K.weightedSum(x, w, n);
  const out = new BigUint64Array(n);
  N.weightedSumWords(bytes(out), bytes(x.subarray(0, 64 * n)), bytes(w));
  return out;
}
