/**
 * Dealer-free semi2k preprocessing: every correlation the protocol asks for (see
 * correlations.ts) made by the compute parties themselves from OT extension (src/ot), for
 * any N ≥ 2 — the semi-honest offline phase of SPDZ2k (Cramer, Damgård, Escudero, Scholl,
 * Xing, CRYPTO 2018) and MASCOT (Keller, Orsini, Scholl, CCS 2016) without MACs, as in
 * MP-SPDZ's `semi2k` and SPU's semi2k with OT-based Beaver.
 *
 * Each party draws its own shares of the random factors; cross products between two
 * parties' shares come from OT (ot-pairwise.ts), bits become arithmetic through correlated
 * OT (ot-bits.ts), and shuffle correlations from an oblivious switching network (ot-shuffle.ts):
 * - beaver: a, b random; c = Σ_i a_i·b_i + Σ_{i≠j} Gilboa(a_i, b_j), on SoftSpokenOT with
 *   triangular corrections (ot-triples.ts; SoftSpokenOT is set up once per pair over IKNP);
 * - matmul: the same with vectors (ot-pairwise.ts, on the same SoftSpokenOT);
 * - band: the same over GF(2) on 64-bit words;
 * - trunc: r from 64 random shared bits, so r_63 and (r mod 2^63) >> d are their weighted sums;
 * - edabits: s = ⊕ β_i random (the boolean part), r = −Σ 2^k [s_k] arithmetic;
 * - dabits: one random bit, XOR- and additively shared;
 * - shuffle: permuter p's π applied to the others' masks by an OSN (Mohassel & Sadeghian 2013).
 *
 * Semi-honest security against any coalition of N − 1 parties: a party sees only OT
 * messages, which hide the other parties' shares (SoftSpokenOT with a correlation-robust hash), and
 * its own random draws. No third process and no trusted party: no one ever knows a
 * correlation's value. The base OTs run once per pair when the session starts.
 */
import * as R from '../../crypto/ring64.js';
import { Prg } from '../../crypto/prg.js';
import type { Comm } from '../comm.js';
import { channelTo } from '../../ot/channel.js';
import { setupOtPair } from '../../ot/iknp.js';
import { weightedSum } from '../../ot/cot-words.js';
import type { CorrelationRequest } from './correlations.js';
import type { Preprocessing } from './preprocessing.js';
import { andBothWays, gilboaBothWays } from './ot-pairwise.js';
import { bitsToArithmetic, type OtParties } from './ot-bits.js';
import { otShuffleCorrelation } from './ot-shuffle.js';
import { crossTermsBothWays } from './ot-triples.js';
import { setupSoftSpoken, type SoftSpokenPair } from '../../ot/softspoken.js';

/** Elements per step of the bit conversions (64 bits each: 8 MB of shares). */
const BIT_CHUNK = 1 << 14;

/** Sets up extension with every other compute party (all pairs at once). */
export async function createOtPreprocessing(comm: Comm, parties: readonly string[], index: number): Promise<Preprocessing> {
  const pairs = await Promise.all(parties.map((p, j) => (j === index ? undefined : setupOtPair(channelTo(comm, p)))));
  const ss = await Promise.all(pairs.map((p) => (p ? setupSoftSpoken(p) : undefined)));
  return new OtPreprocessing({ index, parties, pairs, ss });
}

/** Weights for the sums of 64 bit shares: 2^k from `from` to `to` − 1, shifted down by `shift`. */
function weights(from: number, to: number, shift: number): BigUint64Array {
  const w = new BigUint64Array(64);
  for (let k = from; k < to; k++) w[k] = 1n << BigInt(k - shift);
  return w;
}
const W_ALL = weights(0, 64, 0);
const W_TOP = weights(63, 64, 63);

export class OtPreprocessing implements Preprocessing {
  readonly #ctx: OtParties;
  readonly #random = Prg.random();
  /** The request before this one: requests run one at a time, in the order they are made. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(ctx: OtParties) {
    this.#ctx = ctx;
  }

  get #peers(): SoftSpokenPair[] {
    return this.#ctx.ss.filter((p): p is SoftSpokenPair => p !== undefined);
  }

  /**
   * Every kind draws on the same SoftSpokenOT streams with each peer, batch after batch, so two
   * requests must not interleave their batches: each one waits for the one made before it, and
   * both parties, making their requests in the same order, use the streams alike.
   */
  get(req: CorrelationRequest): Promise<BigUint64Array[]> {
    const run = this.#tail.then(() => this.#make(req));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #make(req: CorrelationRequest): Promise<BigUint64Array[]> {
    switch (req.kind) {
      case 'beaver': {
        const { n } = req;
        const a = this.#random.ring(n), b = this.#random.ring(n);
        const c = R.mul(R.uninit(n), a, b);
        for (const part of await Promise.all(this.#peers.map((p) => crossTermsBothWays(p, a, b, n)))) R.add(c, c, part);
        return [a, b, c];
      }
      case 'band': {
        const { n } = req;
        const a = this.#random.ring(n), b = this.#random.ring(n);
        const c = R.and(R.uninit(n), a, b);
        for (const part of await Promise.all(this.#peers.map((p) => andBothWays(p, a, b, n)))) R.xor(c, c, part);
        return [a, b, c];
      }
      case 'matmul':
        return this.#matmul(req.m, req.k, req.n);
      case 'trunc': {
        const { n, bits } = req;
        const wLow = weights(bits, 63, bits);
        const r = R.uninit(n), rb = R.uninit(n), rc = R.uninit(n);
        await this.#bitChunks(n, (B, from, len) => {
          r.set(weightedSum(B, W_ALL, len), from);
          rb.set(weightedSum(B, W_TOP, len), from);
          rc.set(weightedSum(B, wLow, len), from);
        });
        return [r, rb, rc];
      }
      case 'edabits': {
        const { n } = req;
        const r = R.uninit(n);
        const s = await this.#bitChunks(n, (B, from, len) => r.set(weightedSum(B, W_ALL, len), from));
        return [R.neg(r, r), s];
      }
      case 'dabits': {
        const { n } = req;
        const beta = R.andScalar(R.uninit(n), this.#random.ring(n), 1n);
        return [await bitsToArithmetic(this.#ctx, beta, 1), beta];
      }
      case 'shuffle':
        return otShuffleCorrelation(this.#ctx, req.n, req.width, req.permuter, this.#random);
    }
  }

  /** Random XOR-shared words s, their bits made arithmetic chunk by chunk; returns s. */
  async #bitChunks(n: number, use: (bits: BigUint64Array, from: number, len: number) => void): Promise<BigUint64Array> {
    const beta = this.#random.ring(n);
    // One pair of 64·BIT_CHUNK-word arrays for every chunk (`use` reads the bits before the next).
    const size = 64 * Math.min(n, BIT_CHUNK);
    const scratch = { mine: new BigUint64Array(size), out: new BigUint64Array(size) };
    for (let from = 0; from < n; from += BIT_CHUNK) {
      const len = Math.min(BIT_CHUNK, n - from);
      use(await bitsToArithmetic(this.#ctx, beta.subarray(from, from + len), 64, scratch), from, len);
    }
    return beta;
  }

  /**
   * A (m×k), B (k×n), C = A·B. The cross terms A_i·B_j run as vector Gilboa products in the
   * orientation with fewer bytes: either the receiver chooses with B's entries and the
   * sender's vectors are A's columns (k·n·64 OTs carrying m words), or — on the transposes,
   * Cᵀ = Bᵀ·Aᵀ — the receiver chooses with A's entries (m·k·64 OTs carrying n words).
   */
  async #matmul(m: number, k: number, n: number): Promise<BigUint64Array[]> {
    const A = this.#random.ring(m * k), B = this.#random.ring(k * n);
    const C = R.matmul(R.uninit(m * n), A, B, m, k, n);
    // Bytes per pair and direction: 64 OTs per entry of the chooser's matrix, each with 16 bytes
    // of extension and one correction word per entry of the sender's vector.
    const direct = k * n * (16 + 8 * m) <= m * k * (16 + 8 * n);
    const cross = direct ? await this.#matmulCross(A, B, m, k, n) : transposeWords(await this.#matmulCross(transposeWords(B, k, n), transposeWords(A, m, k), n, k, m), n, m);
    return [A, B, R.add(C, C, cross)];
  }

  /** Σ over peers of my share of A_me·B_peer + A_peer·B_me, choosing with B's entries. */
  async #matmulCross(A: BigUint64Array, B: BigUint64Array, m: number, k: number, n: number): Promise<BigUint64Array> {
    // Element (l, c) of B pairs with column l of A.
    const count = k * n;
    const vecs = new BigUint64Array(count * m);
    for (let l = 0; l < k; l++) for (let c = 0; c < n; c++) for (let r = 0; r < m; r++) vecs[(l * n + c) * m + r] = A[r * k + l]!;
    const parts = await Promise.all(this.#peers.map((p) => gilboaBothWays(p, vecs, B, count, m)));
    const sum = parts.reduce((acc, x) => R.add(acc, acc, x));
    // Column c of the result: Σ_l sum[(l, c), ·].
    const out = new BigUint64Array(m * n);
    const col = new BigUint64Array(m);
    for (let c = 0; c < n; c++) {
      col.fill(0n);
      for (let l = 0; l < k; l++) R.add(col, col, sum.subarray((l * n + c) * m, (l * n + c + 1) * m));
      for (let r = 0; r < m; r++) out[r * n + c] = col[r]!;
    }
    return out;
  }

  async close(): Promise<void> {}
}

/** The transpose of a row-major rows×cols matrix of words. */
export function transposeWords(x: BigUint64Array, rows: number, cols: number): BigUint64Array {
  const out = new BigUint64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c]!;
  return out;
}
