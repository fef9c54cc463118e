/**
 * The random-OT hashes of one batch of SoftSpokenOT (Roy, CRYPTO 2022; src/ot/softspoken.ts)
 * with chosen bits, for the correlated OTs of dealer-free semi2k (ot-pairwise.ts):
 * the chooser's H(t_j), the offerer's H(q_j) and H(q_j ⊕ Δ), `L` u64 words per OT, where
 * H(x) = π(x) ⊕ x with π fixed-key AES (Guo, Katz, Wang, Yu, S&P 2020; src/ot/aes-hash.ts) and
 * q_j = t_j ⊕ r_j·Δ, so H(q_j ⊕ r_j·Δ) = H(t_j) (Ishai, Kilian, Nissim, Petrank 2003, §3).
 *
 * With L = 1 (bit products, AND triples, scalar Gilboa) the columns are transposed and hashed
 * in one pass by `transposeHashLow` (native/ot-kernels.c where built, writing straight into
 * the arrays returned; the WebAssembly kernel otherwise; byte-identical,
 * test/ot/native-kernels.test.ts). With L > 1 (matrix triples) the rows are taken out and
 * stretched by `hashToWords`. Both ends use the same function for a given L, whichever
 * kernels each has.
 */
import { hashToWords } from '../../ot/aes-hash.js';
import { wasm, xorRows } from '../../ot/kernel.js';
import { FIXED_KEY, nativeOtKernels as N, otKernels } from '../../ot/native-kernels.js';
import type { SoftSpokenPair } from '../../ot/softspoken.js';

const bytes = (w: BigUint64Array) => new Uint8Array(w.buffer, w.byteOffset, w.byteLength);

/** The offerer's hash arrays, reused: its callers use them before they next await. */
let pool = { h0: new BigUint64Array(0), h1: new BigUint64Array(0) };

/** The chooser's side of `m` OTs (m a multiple of 128) with choice bits `choices` (m/8 bytes): the message to send and H(t_j). */
export function chooserHashes(pair: SoftSpokenPair, choices: Uint8Array, m: number, L: number): { message: Uint8Array; ht: BigUint64Array } {
  if (L !== 1) {
    const p = pair.receiver.prepare(m, choices);
    return { message: p.message, ht: hashToWords(p.rows, L) };
  }
  if (N) {
    const p = pair.receiver.prepareInto(m, choices, [], true);
    const ht = new BigUint64Array(m);
    N.transposeHashLow(FIXED_KEY, wasm.at(p.cols, 16 * m), m / 8, undefined, bytes(ht), undefined);
    return { message: p.message, ht };
  }
  const p = pair.receiver.prepareInto(m, choices, [8 * m], true);
  const [pHt] = p.extra as [number];
  otKernels().transposeHashLow(p.cols, m / 8, p.rows, pHt);
  return { message: p.message, ht: wasm.takeWords(pHt, m) };
}

/**
 * The offerer's side of the same `m` OTs from the chooser's message: H(q_j) and H(q_j ⊕ Δ) —
 * with L = 1 and the native kernels in arrays that the next call reuses (use them before awaiting).
 */
export function offererHashes(pair: SoftSpokenPair, message: Uint8Array, m: number, L: number): [BigUint64Array, BigUint64Array] {
  const delta = pair.sender.delta;
  if (L !== 1) {
    const q = pair.sender.absorb(message, m, true);
    return [hashToWords(q, L), hashToWords(xorRows(q, delta, 16), L)];
  }
  if (N) {
    const { cols } = pair.sender.absorbInto(message, m, true, [], true);
    if (pool.h0.length < m) pool = { h0: new BigUint64Array(m), h1: new BigUint64Array(m) };
    const h0 = pool.h0.subarray(0, m), h1 = pool.h1.subarray(0, m);
    N.transposeHashLow(FIXED_KEY, wasm.at(cols, 16 * m), m / 8, delta, bytes(h0), bytes(h1));
    return [h0, h1];
  }
  const { rows, cols, extra } = pair.sender.absorbInto(message, m, true, [8 * m, 8 * m, 16], true);
  const [pH0, pH1, pDelta] = extra as [number, number, number];
  wasm.put(pDelta, delta);
  otKernels().transposeHashLow(cols, m / 8, rows, pH0, pDelta, pH1);
  return [wasm.takeWords(pH0, m), wasm.takeWords(pH1, m)];
}
