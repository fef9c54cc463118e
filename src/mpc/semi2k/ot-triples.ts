/**
 * The cross terms of Beaver triples between two parties, a_me·b_peer + a_peer·b_me over
 * Z_2^64, from SoftSpokenOT (src/ot/softspoken.ts) and Gilboa's product (CRYPTO 1999): the
 * receiver chooses with the 64 bits of its b, the sender's k-th message pair is
 * (s_k, s_k + a·2^k) derived from the random-OT hashes H(q_j), H(q_j ⊕ Δ) (Ishai, Kilian,
 * Nissim, Petrank 2003, §3), so only one correction d_k = H(q) − H(q ⊕ Δ) + a is sent per OT.
 *
 * Triangular trick (as in MASCOT's and SPDZ2k's Z_2^k OT multiplication; Keller, Orsini,
 * Scholl, CCS 2016, §4; Cramer et al., CRYPTO 2018, §5): OT k's result is multiplied by 2^k,
 * so it only has to be right modulo 2^(64−k) and its correction carries 64 − k bits —
 * 2080 bits an element instead of 4096 (assembly/ot.ts `gilboaSendTri`).
 *
 * Bytes per element and direction: 64 OTs × (128/k) bits of SoftSpokenOT message (chosen
 * choices; k = 2: 512 bytes, k = 4: 256) + 260 bytes of corrections, against 1,536 with IKNP
 * and full 64-bit corrections.
 *
 * Pipelining: chunks of CHUNK elements; each party sends its SoftSpokenOT message for chunk
 * c + 1 before it answers chunk c, and prepares chunk c + 2 while the peer's answer to chunk c
 * is on its way, so its own expansion overlaps the peer's and the transport. Per chunk and
 * direction two messages (u, then d), the same order at both ends: u_0, u_1, d_0, u_2, d_1, …
 * With the native kernels (src/ot/native-kernels.ts) a chunk is one call per role (k = 2:
 * SoftSpokenOT, transpose, hash and Gilboa's hash sums in cache-sized tiles) and
 * hash sums/corrections stay in JavaScript arrays read in place; without them everything between
 * two awaits runs in the WebAssembly kernel's memory.
 * Where the time goes and why silent OT is next: docs/ot.md.
 */
import * as R from '../../crypto/ring64.js';
import { wasm } from '../../ot/kernel.js';
import { FIXED_KEY, nativeOtKernels as N, otKernels, type NativeOtKernels, type OtKernels } from '../../ot/native-kernels.js';
import { SS_DEFAULT_K, ssKernelPath, ssMessageBytes, type SoftSpokenPair } from '../../ot/softspoken.js';

/** Elements per chunk (64 OTs each: 262,144 OTs, ~2 MB of SoftSpokenOT message with k = 2). */
export const CHUNK = 4096;


/** Bytes of packed triangular corrections for `e` elements (e even). */
export const triBytes = (e: number) => (e * 2080) / 8;

/** Bytes a triple costs per peer and direction (an even count of elements): 512 + 260 with k = 2. */
export const TRIPLE_BYTES_PER_PEER = ssMessageBytes(SS_DEFAULT_K, 64, true) + triBytes(1);

/** A new array of n bytes left unzeroed, for one a kernel writes in full. */
const unzeroed = (n: number) => {
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
};

const asBytes = (w: BigUint64Array) => new Uint8Array(w.buffer, w.byteOffset, w.byteLength);

/** Receiver, chunk: the message to send and the hash words H(t_j) (low 64 bits). */
function receiverPrepare(F: OtKernels, pair: SoftSpokenPair, b: BigUint64Array, E: number): { message: Uint8Array; ht: BigUint64Array } {
  const m = 64 * E;
  const choices = new Uint8Array(8 * E);
  choices.set(asBytes(b));
  const p = pair.receiver.prepareInto(m, choices, [8 * m], true);
  const [pHt] = p.extra as [number];
  F.transposeHashLow(p.cols, m / 8, p.rows, pHt);
  return { message: p.message, ht: wasm.takeWords(pHt, m) };
}

/** Sender, chunk: corrections to send and this party's share of a·b_peer. */
function senderAnswer(F: OtKernels, pair: SoftSpokenPair, msg: Uint8Array, a: BigUint64Array, E: number): { d: Uint8Array; out: BigUint64Array } {
  const m = 64 * E;
  const dBytes = triBytes(E);
  const { rows, cols, extra } = pair.sender.absorbInto(msg, m, true, [8 * m, 8 * m, 16, 8 * E, dBytes, 8 * E], true);
  const [pH0, pH1, pDelta, pA, pD, pOut] = extra as [number, number, number, number, number, number];
  wasm.put(pDelta, pair.sender.delta);
  F.transposeHashLow(cols, m / 8, rows, pH0, pDelta, pH1);
  wasm.at(pA, 8 * E).fill(0);
  wasm.put(pA, a);
  wasm.at(pD, dBytes).fill(0);
  F.gilboaSendTri(pD, pOut, pH0, pH1, pA, E);
  return { d: wasm.take(pD, dBytes), out: wasm.takeWords(pOut, E) };
}

/** Receiver, chunk: its share of a_peer·b from the corrections. */
function receiverFinish(F: OtKernels, ht: BigUint64Array, d: Uint8Array, b: BigUint64Array, E: number): BigUint64Array {
  const [pHt, pD, pB, pOut] = wasm.arena([8 * 64 * E, d.length, 8 * E, 8 * E]) as [number, number, number, number];
  wasm.put(pHt, ht);
  wasm.put(pD, d);
  wasm.at(pB, 8 * E).fill(0);
  wasm.put(pB, b);
  F.gilboaRecvTri(pOut, pHt, pD, pB, E);
  return wasm.takeWords(pOut, E);
}

/**
 * The same three steps with the native kernels on JavaScript arrays: the hashes land in
 * buffers of this call (three for H(t), by chunk number modulo 3, since chunk c + 2 is
 * prepared before chunk c finishes; one for H(q), H(q ⊕ Δ)) and the corrections are read
 * where the transport delivered them — no copies in or out of the kernel's memory. With the
 * fused kernels no hash leaves L1: the sender's feed its Gilboa sums at once, and the
 * receiver keeps only Σ_k H(t_k)·2^k per element (8 bytes, not 512) for `finish`.
 */
function nativeSteps(pair: SoftSpokenPair, N: NativeOtKernels, fused: boolean) {
  const pools: { ht: BigUint64Array[]; h: Uint8Array; words: BigUint64Array } = { ht: [], h: new Uint8Array(0), words: new BigUint64Array(0) };
  /** a[e0, e1) padded to E words (E even) in a scratch array. */
  const padded = (x: BigUint64Array, E: number) => {
    if (x.length === E) return asBytes(x);
    if (pools.words.length < E) pools.words = new BigUint64Array(E);
    const w = pools.words.subarray(0, E);
    w.fill(0n);
    w.set(x);
    return asBytes(w);
  };
  return {
    prepare(c: number, b: BigUint64Array, E: number): { message: Uint8Array; ht: BigUint64Array } {
      const m = 64 * E, words = fused ? E : m; // fused: the hash sums, a word an element
      let ht = pools.ht[c % 3];
      if (!ht || ht.length < words) ht = pools.ht[c % 3] = new BigUint64Array(words);
      const hts = asBytes(ht.subarray(0, words));
      if (fused) {
        // Every byte of the message is written by the kernel: no zeroing (it is sent, so not pooled).
        const message = unzeroed(ssMessageBytes(2, m, true));
        const { keys, counter } = pair.receiver.claimStreams(m);
        N.ssTriplesRecv(FIXED_KEY, keys, counter, m / 8, padded(b, E), message, hts);
        return { message, ht: ht.subarray(0, E) };
      }
      const choices = new Uint8Array(8 * E);
      choices.set(asBytes(b));
      const p = pair.receiver.prepareInto(m, choices, [], true);
      N.transposeHashLow(FIXED_KEY, wasm.at(p.cols, 16 * m), m / 8, undefined, hts, undefined);
      return { message: p.message, ht: ht.subarray(0, m) };
    },
    answer(msg: Uint8Array, a: BigUint64Array, E: number): { d: Uint8Array; out: BigUint64Array } {
      const m = 64 * E;
      // Every word of d and out is written (E even: the corrections end on a word).
      const d = unzeroed(triBytes(E)), out = new BigUint64Array(E);
      if (fused) {
        const { keys, ds, counter } = pair.sender.claimStreams(m);
        N.ssTriplesSend(FIXED_KEY, keys, ds, counter, m / 8, msg, pair.sender.delta, padded(a, E), d, asBytes(out));
        return { d, out };
      }
      const { cols } = pair.sender.absorbInto(msg, m, true, [], true);
      if (pools.h.length < 16 * m) pools.h = new Uint8Array(16 * m);
      const h0 = pools.h.subarray(0, 8 * m), h1 = pools.h.subarray(8 * m, 16 * m);
      N.transposeHashLow(FIXED_KEY, wasm.at(cols, 16 * m), m / 8, pair.sender.delta, h0, h1);
      N.gilboaSendTri(d, asBytes(out), h0, h1, padded(a, E));
      return { d, out };
    },
    finish(ht: BigUint64Array, d: Uint8Array, b: BigUint64Array, E: number): BigUint64Array {
      const out = new BigUint64Array(E);
      (fused ? N.gilboaRecvTriSums : N.gilboaRecvTri)(asBytes(out), asBytes(ht), d, padded(b, E));
      return out;
    },
  };
}

/** The per-kernel path's steps, in the WebAssembly kernel's memory (the kernels of `otKernels('wasm')`). */
function wasmSteps(pair: SoftSpokenPair) {
  const F = otKernels('wasm');
  return {
    prepare: (_c: number, b: BigUint64Array, E: number) => receiverPrepare(F, pair, b, E),
    answer: (msg: Uint8Array, a: BigUint64Array, E: number) => senderAnswer(F, pair, msg, a, E),
    finish: (ht: BigUint64Array, d: Uint8Array, b: BigUint64Array, E: number) => receiverFinish(F, ht, d, b, E),
  };
}

/**
 * How a party computes its chunks — the bytes on the wire are the same on every path, so
 * parties on different paths interoperate (test/ot/native-kernels.test.ts):
 * 'fused': one native call per chunk and role (ssTriplesRecv / ssTriplesSend, k = 2);
 * 'native': the native kernels one by one (ssBlock, transposeHashLow, Gilboa sums);
 * 'wasm': the WebAssembly kernels (SoftSpokenOT's own block path as ssKernelPath sets it).
 */
export type TriplePath = 'fused' | 'native' | 'wasm';

/** The fastest path available for this pair: fused when native and k = 2 (and the native SoftSpokenOT block not switched off). */
export function triplePath(pair: SoftSpokenPair): TriplePath {
  if (!N) return 'wasm';
  return pair.receiver.k === 2 && pair.sender.k === 2 && ssKernelPath() === 'native' ? 'fused' : 'native';
}

function nativeOr(path: TriplePath): NativeOtKernels {
  if (!N) throw new Error(`triples path '${path}' needs the native OT kernels (native/ot-kernels.c), which are not built here`);
  return N;
}

/**
 * My additive share of a_me[e]·b_peer[e] + a_peer[e]·b_me[e] for `n` elements (both parties
 * call it at the same time with their own a, b).
 */
export async function crossTermsBothWays(pair: SoftSpokenPair, a: BigUint64Array, b: BigUint64Array, n: number, path: TriplePath = triplePath(pair)): Promise<BigUint64Array> {
  const ch = pair.channel;
  const out = new BigUint64Array(n);
  if (n === 0) return out;
  const chunks = Math.ceil(n / CHUNK);
  const range = (c: number) => {
    const e0 = c * CHUNK, e1 = Math.min(n, e0 + CHUNK);
    return { e0, e1, E: (e1 - e0 + 1) & ~1 };
  };
  const uBytes = (E: number) => ssMessageBytes(pair.receiver.k, 64 * E, true);
  const steps = path === 'wasm' ? wasmSteps(pair) : nativeSteps(pair, nativeOr(path), path === 'fused');
  const prepare = (c: number) => {
    const { e0, e1, E } = range(c);
    const p = steps.prepare(c, b.subarray(e0, e1), E);
    ch.send('pp.tri.u', p.message);
    return { ht: p.ht, u: ch.recv('pp.tri.u', uBytes(E)) };
  };
  // Two chunks ahead: chunk c + 2 is prepared (and its u sent) between sending d_c and waiting
  // for the peer's d_c, so that wait overlaps compute; the wire order stays u_0, u_1, d_0, u_2, d_1, …
  const ahead = [prepare(0)];
  if (chunks > 1) ahead.push(prepare(1));
  for (let c = 0; c < chunks; c++) {
    const cur = ahead.shift()!;
    const { e0, e1, E } = range(c);
    const sent = steps.answer(await cur.u, a.subarray(e0, e1), E);
    ch.send('pp.tri.d', sent.d);
    const d = ch.recv('pp.tri.d', triBytes(E)); // receives are matched in the order they are asked for: d_c before u_{c+2}
    if (c + 2 < chunks) ahead.push(prepare(c + 2));
    const got = steps.finish(cur.ht, await d, b.subarray(e0, e1), E);
    R.add(out.subarray(e0, e1), sent.out.subarray(0, e1 - e0), got.subarray(0, e1 - e0));
  }
  return out;
}
