/**
 * The hot kernels of OT extension on regions of the WebAssembly kernel's memory (src/ot/kernel.ts
 * `wasm.arena`), run by the native shim `native/ot-kernels.c` when it is built and by the
 * WebAssembly kernels of assembly/ot.ts (plus node:crypto for the hash) otherwise. Both
 * compute the same bytes (test/ot/native-kernels.test.ts), so parties with and without the
 * shim interoperate.
 *
 * Why native: in the WebAssembly path every kernel is one pass over a batch in memory (seed
 * streams, combine, transpose, XOR with Δ, AES, truncation, copies in and out), and those
 * passes, not the arithmetic, were most of a triple's compute (docs/ot.md). Natively the
 * seed streams are combined as they are made, the columns are transposed and hashed in
 * L1-sized tiles (the rows never reach memory), and the Gilboa sums read the hashes and the
 * received corrections where they are: ~30 % less CPU per triple measured. For the triples
 * (k = 2) a whole chunk is one call per role (ssTriplesRecv, ssTriplesSend: seed streams,
 * transpose, hash and the sender's Gilboa sums with the columns in L2 and the rows in L1;
 * another ~25 % less, docs/ot.md). The transpose
 * alone gains less (SSE2/AVX2 unpacks + pmovmskb, ~2.5 against ~1.6 GB/s for WebAssembly
 * on a 4 MB batch here). The hash is H(x) = π(x) ⊕ x truncated to 64 bits (Guo, Katz, Wang,
 * Yu, S&P 2020), π = OpenSSL's fixed-key AES as in src/ot/aes-hash.ts.
 * TACIT_OT_NATIVE=0 forces the WebAssembly path (the tests run both).
 */
import { createRequire } from 'node:module';
import { FIXED_KEY, fixedKeyAesInto } from './aes-hash.js';
import { wasm } from './kernel.js';

export interface NativeOtKernels {
  transpose(out: Uint8Array, inp: Uint8Array, R: number, W: number): void;
  crHashLow(key: Uint8Array, rows: Uint8Array, delta: Uint8Array, out: Uint8Array): void;
  gilboaSendTri(d: Uint8Array, out: Uint8Array, h0: Uint8Array, h1: Uint8Array, a: Uint8Array): void;
  gilboaRecvTri(out: Uint8Array, ht: Uint8Array, d: Uint8Array, b: Uint8Array): void;
  /** gilboaRecvTri from the hash sums hs[e] = Σ_k ht[64e + k]·2^k that ssTriplesRecv returns. */
  gilboaRecvTriSums(out: Uint8Array, hs: Uint8Array, d: Uint8Array, b: Uint8Array): void;
  transposeHashLow(key: Uint8Array, cols: Uint8Array, W: number, delta: Uint8Array | undefined, h0: Uint8Array, h1: Uint8Array | undefined): void;
  ssBlock(keys: Uint8Array, d: number, punctured: boolean, counter: number, k: number, W: number, cols: Uint8Array,
    u: Uint8Array | undefined, r: Uint8Array | undefined, corr: Uint8Array | undefined, corrBits: number): void;
  /**
   * A chunk of the triples' OTs in one call, k = 2 (src/mpc/semi2k/ot-triples.ts): the receiver's
   * 64 ssBlock calls with chosen r (message: 64·W bytes) and transposeHashLow, each element's 64
   * hashes summed at once into hs[e] = Σ_k ht[64e + k]·2^k (W bytes: a word an element).
   */
  ssTriplesRecv(hashKey: Uint8Array, keys: Uint8Array, counter: number, W: number, r: Uint8Array, message: Uint8Array, hs: Uint8Array): void;
  /** The sender's 64 ssBlock calls on msg, transposeHashLow with Δ and gilboaSendTri (a, out: W/8 words; d: 260·W/8 bytes). */
  ssTriplesSend(hashKey: Uint8Array, keys: Uint8Array, ds: Uint8Array, counter: number, W: number, msg: Uint8Array, delta: Uint8Array,
    a: Uint8Array, d: Uint8Array, out: Uint8Array): void;
  /**
   * The OPRF PSI's sender values (native/ot-kernels-kkrt.h): per item j and hash i < 3, the first 12
   * bytes of H(q[cand[3j+i]] ⊕ (C(d_j with byte 4 ^= i) ∧ s)) at out[(3j+i)·12] — what
   * src/psi/oprf/run-oprf-psi.ts computes with codewords, kkrtEvaluateUnhashed and rowHash.
   */
  kkrtValues(key: Uint8Array, q: Uint8Array, s: Uint8Array, digests: Uint8Array, cand: Uint32Array, out: Uint8Array): void;
  /** The first 12 bytes of H (kkrt.ts rowHash) of each 64-byte row. */
  kkrtRowValues(key: Uint8Array, rows: Uint8Array, out: Uint8Array): void;
  /** Per id j = packed[ends[j−1], ends[j]): d = SHA-256(prefix ‖ id), digests[16j] = d[0, 16), cand[3j + i] = u32le(d[16 + 4i]) mod bins. */
  oprfDigests(prefix: Uint8Array, packed: Uint8Array, ends: Uint32Array, bins: number, digests: Uint8Array, cand: Uint32Array): void;
  /** Which vector AES the kernels use for the PRG and hash (native/ot-kernels-aes.h): 2 = VAES + AVX-512, 1 = VAES + AVX2, 0 = OpenSSL. */
  aesVaesLevel(): number;
  /** Test hook: counter < 0: out = AES-128-ECB_key(inp); else out = the AES-128-CTR keystream from block `counter`; at `level`. */
  aes128Blocks(key: Uint8Array, counter: number, inp: Uint8Array, out: Uint8Array, level: number): void;
  /** Correlated OT words in place (native/ot-kernels-cot.h; src/ot/cot-words.ts): d = h0 − h1 + c, s = −h0. */
  cotSendWords(d: Uint8Array, s: Uint8Array, h0: Uint8Array, h1: Uint8Array, c: Uint8Array): void;
  /** v = ht + r·d, r one bit per word of v. */
  cotRecvWords(v: Uint8Array, ht: Uint8Array, d: Uint8Array, bits: Uint8Array): void;
  /** out[e·w + k] = bit k of x[e]. */
  unpackBitWords(out: Uint8Array, x: Uint8Array, w: number): void;
  /** out[e] = Σ_k w[k]·x[e·64 + k]. */
  weightedSumWords(out: Uint8Array, x: Uint8Array, w: Uint8Array): void;
}

function loadNative(): NativeOtKernels | undefined {
  if (process.env['TACIT_OT_NATIVE'] === '0') return undefined;
  try {
    return createRequire(import.meta.url)('../../native/ot-kernels.node') as NativeOtKernels;
  } catch {
    return undefined; // not built here: the WebAssembly path
  }
}

const native = loadNative();
const K = wasm.kernels;
const NO_DELTA = new Uint8Array(0);

/** Reused buffers of the WebAssembly path's hash (input and AES output), grown as needed. */
let bufs = { x: new Uint8Array(0), enc: new Uint8Array(0) };
function scratch(bytes: number) {
  if (bufs.x.length < bytes) bufs = { x: new Uint8Array(bytes), enc: new Uint8Array(bytes) };
  return bufs;
}

/**
 * One SoftSpokenOT block (src/ot/softspoken.ts) natively, when built: the 2^k seeds' AES-CTR
 * streams from `counter` (W bytes each; seed d absent when `punctured`) combined in L1-sized
 * tiles into cols_b = ⊕_x bit_b(x ⊕ d)·G(s_x) ⊕ [bit b of corrBits]·corr (b < k, k·W bytes)
 * and u = ⊕_x G(s_x) ⊕ r. The WebAssembly path is ctrStreams + ssCombine + xorSelectedColumns.
 */
export const nativeSsBlock = native?.ssBlock.bind(native);

/** The native functions themselves (on any byte arrays, no copies), when built and not switched off. */
export const nativeOtKernels: NativeOtKernels | undefined = native;
export { FIXED_KEY };

/** Which implementation runs by default: 'native' or 'wasm'. */
export function otKernelPath(): 'native' | 'wasm' {
  return native ? 'native' : 'wasm';
}

/** The kernels on memory regions; `path` picks one implementation (tests), default: the native one when built. */
export function otKernels(path: 'native' | 'wasm' = otKernelPath()) {
  const n = path === 'native' ? native : undefined;
  if (path === 'native' && !n) throw new Error('the native OT kernels are not built here (native/ot-kernels.c)');
  return {
    /** out (8W rows × R/8 bytes) = bit transpose of in (R rows × W bytes); R, W multiples of 16. */
    transpose(pOut: number, pIn: number, R: number, W: number): void {
      if (n) n.transpose(wasm.at(pOut, R * W), wasm.at(pIn, R * W), R, W);
      else K.transpose(pOut, pIn, R, W);
    },
    /**
     * out[j] (8 bytes) = low 64 bits of H(rows_j ⊕ Δ) for `count` 16-byte rows, H(x) = π(x) ⊕ x
     * with π fixed-key AES (src/ot/aes-hash.ts); without `delta` (pDelta < 0) of H(rows_j).
     */
    crHashLow(pOut: number, pRows: number, count: number, pDelta = -1): void {
      const rows = wasm.at(pRows, 16 * count);
      const delta = pDelta < 0 ? NO_DELTA : wasm.at(pDelta, 16).slice();
      if (n) return n.crHashLow(FIXED_KEY, rows, delta, wasm.at(pOut, 8 * count));
      const { x, enc } = scratch(16 * count);
      x.set(rows);
      const x32 = new Uint32Array(x.buffer, 0, 4 * count), e32 = new Uint32Array(enc.buffer, 0, 4 * count);
      if (delta.length) {
        const d = new Uint32Array(delta.buffer, delta.byteOffset, 4);
        for (let j = 0; j < 4 * count; j += 4) {
          x32[j]! ^= d[0]!; x32[j + 1]! ^= d[1]!; x32[j + 2]! ^= d[2]!; x32[j + 3]! ^= d[3]!;
        }
      }
      fixedKeyAesInto(x.subarray(0, 16 * count), enc);
      const out = new Uint32Array(wasm.at(pOut, 8 * count).buffer, pOut, 2 * count);
      for (let j = 0; j < count; j++) {
        out[2 * j] = e32[4 * j]! ^ x32[4 * j]!;
        out[2 * j + 1] = e32[4 * j + 1]! ^ x32[4 * j + 1]!;
      }
    },
    /**
     * transpose(pRows, pCols, 128, W) then crHashLow(pH0, pRows) and, with pDelta ≥ 0,
     * crHashLow(pH1, pRows, pDelta): natively in L1 tiles (pRows untouched), otherwise in turn.
     */
    transposeHashLow(pCols: number, W: number, pRows: number, pH0: number, pDelta = -1, pH1 = -1): void {
      const m = 8 * W;
      if (n) {
        const withDelta = pDelta >= 0 && pH1 >= 0;
        return n.transposeHashLow(FIXED_KEY, wasm.at(pCols, 16 * m), W, withDelta ? wasm.at(pDelta, 16) : undefined, wasm.at(pH0, 8 * m), withDelta ? wasm.at(pH1, 8 * m) : undefined);
      }
      this.transpose(pRows, pCols, 128, W);
      this.crHashLow(pH0, pRows, m);
      if (pDelta >= 0 && pH1 >= 0) this.crHashLow(pH1, pRows, m, pDelta);
    },
    /** assembly/ot.ts gilboaSendTri: corrections (260·E bytes, zeroed by the caller) and output words, E even. */
    gilboaSendTri(pD: number, pOut: number, pH0: number, pH1: number, pA: number, E: number): void {
      if (n) return n.gilboaSendTri(wasm.at(pD, 260 * E), wasm.at(pOut, 8 * E), wasm.at(pH0, 512 * E), wasm.at(pH1, 512 * E), wasm.at(pA, 8 * E));
      K.gilboaSendTri(pD, pOut, pH0, pH1, pA, E);
    },
    /** assembly/ot.ts gilboaRecvTri: the receiver's output words from its hashes and the corrections. */
    gilboaRecvTri(pOut: number, pHt: number, pD: number, pB: number, E: number): void {
      if (n) return n.gilboaRecvTri(wasm.at(pOut, 8 * E), wasm.at(pHt, 512 * E), wasm.at(pD, 260 * E), wasm.at(pB, 8 * E));
      K.gilboaRecvTri(pOut, pHt, pD, pB, E);
    },
  };
}

export type OtKernels = ReturnType<typeof otKernels>;
