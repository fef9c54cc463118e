/**
 * `rep3`: three parties, 2-out-of-3 replicated secret sharing over Z_2^64, honest majority,
 * semi-honest security (Araki, Furukawa, Lindell, Nof, Ohara, CCS 2016; ABY3, Mohassel &
 * Rindal, CCS 2018, eprint 2018/403).
 *
 * A value x = x_0 + x_1 + x_2; party i holds (x_i, x_{i+1}). Linear maps are local; a
 * product costs one round and one ring element per party: each party computes its 3-of-3
 * share x_i·y_i + x_i·y_{i+1} + x_{i+1}·y_i plus a zero-sharing and passes it to its
 * predecessor. Boolean shares are the same structure over GF(2)^64 with XOR and AND.
 *
 * Truncation, share conversion and bit injection are in `trunc.ts` and `convert.ts`.
 *
 * A product's reshare is one message to the predecessor, computed in one go by default; with
 * `rep3Tuning.pipelineChunk` it is computed in chunks streamed as they are ready (the same
 * message and values; see docs/architecture.md, the network, for when that pays).
 */
import * as R from '../../crypto/ring64.js';
import { Prg, SEED_BYTES } from '../../crypto/prg.js';
import type { Comm } from '../comm.js';
import type { Parts, Protocol } from '../protocol.js';
import { Rep3Randomness } from './randomness.js';
import { truncAdditiveRep3, truncRep3 } from './trunc.js';
import { shuffleRep3 } from './shuffle.js';
import { a2bRep3, b2aRep3, bitB2ARep3, msbBRep3, msbRep3 } from './convert.js';
import { randomBytes } from 'node:crypto';
import { ownBytes } from '../../net/bytes.js';
import { maskStreams, rep3Product, type ZeroSeeds } from './product-kernel.js';
import { keepFreedMemoryResident } from '../resident-memory.js';

const fresh = (n: number) => new BigUint64Array(n);
/**
 * Products of more than this many elements draw their zero-sharing from a fork of the zero
 * streams (`forkZeroSeeds`), whether they run in one go or pipelined, so the two schedules give
 * the same values and messages and parties may choose differently.
 */
const FORK_ABOVE = 65536;

/**
 * How products are scheduled. `pipelineChunk` > 0 computes products of more than that many
 * elements in chunks, each streamed to the predecessor as soon as it is ready (overlapping
 * compute with TLS); 0 (the default) computes the whole product, then sends it. Measured on
 * this machine (three party processes on two shared cores, load 10-13, `rep3.mul` of 1e6):
 * 64K-element chunks cost ~+10 ms CPU per party (0.017-0.024 s above the transport baseline
 * against 0.007-0.010 s in one go) and were no faster in wall time, because with fewer cores
 * than parties there is no idle core for the overlap to use. With a core per party it may
 * pay; set TACIT_REP3_PIPELINE_CHUNK (elements, e.g. 65536) to try. Only the schedule changes.
 * (Those figures predate the native product kernel, which cut the compute to ~4.5 ms CPU per
 * party for 1e6, leaving even less for the overlap to hide.)
 */
export const rep3Tuning = { pipelineChunk: Math.max(0, Math.floor(Number(process.env['TACIT_REP3_PIPELINE_CHUNK'] ?? 0)) || 0) };
/** A product's zero-sharing seeds are not kept once its mask is drawn. */
const wipe = (seeds: ZeroSeeds) => {
  seeds.self.fill(0);
  seeds.next.fill(0);
};
/** Lets socket reads and write completions run between two chunks of a pipelined round. */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Rep3Protocol implements Protocol {
  readonly name = 'rep3' as const;
  readonly partsPerShare = 2;
  readonly computeParties: readonly string[];
  readonly index: number;
  readonly comm: Comm;
  /** Undefined at members that do not compute. */
  readonly rand: Rep3Randomness | undefined;

  private constructor(comm: Comm, computeParties: readonly string[], rand: Rep3Randomness | undefined) {
    this.comm = comm;
    this.computeParties = computeParties;
    this.index = computeParties.indexOf(comm.self);
    this.rand = rand;
  }

  static async create(comm: Comm, computeParties: readonly string[]): Promise<Rep3Protocol> {
    if (computeParties.length !== 3) throw new RangeError(`rep3 needs exactly 3 compute parties, got ${computeParties.length}`);
    const index = computeParties.indexOf(comm.self);
    // Each product drops and allocates 16n bytes of shares: keep freed blocks mapped (resident-memory.ts).
    if (index >= 0) keepFreedMemoryResident();
    const rand = index >= 0 ? await Rep3Randomness.setup(comm, computeParties, index) : undefined;
    return new Rep3Protocol(comm, computeParties, rand);
  }

  /** Compute party by index mod 3. */
  party(i: number): string {
    return this.computeParties[((i % 3) + 3) % 3]!;
  }

  get isCompute(): boolean {
    return this.index >= 0;
  }

  /** Pair stream for compute parties a and b (this party must be one of them). */
  pair(a: number, b: number): Prg {
    const p = this.rand!.pair(((a % 3) + 3) % 3, ((b % 3) + 3) % 3);
    if (!p) throw new Error(`rep3: party ${this.index} is not in pair {${a}, ${b}}`);
    return p;
  }

  /**
   * Shares a value known to compute party `o` alone, in one round with one message:
   * x_{o+1} comes from the stream o shares with o+1, x_{o+2} = 0, and o sends
   * x_o = x − x_{o+1} to o−1. Each other party sees one uniformly random part.
   */
  async shareFromCompute(o: number, values: BigUint64Array | undefined, n: number, step = 'rep3.input'): Promise<Parts> {
    const i = this.index;
    this.comm.round();
    if (i === o) {
      const xNext = this.pair(o, o + 1).ring(n);
      const xSelf = R.sub(R.uninit(n), values!, xNext);
      this.comm.send(this.party(o - 1), step, xSelf);
      return [xSelf, xNext];
    }
    if (i === (o + 1) % 3) return [this.pair(o, o + 1).ring(n), fresh(n)];
    return [fresh(n), await this.comm.recvRing(this.party(o), step, n)];
  }

  async inputA(owner: string, values: BigUint64Array | undefined, n: number): Promise<Parts> {
    const o = this.computeParties.indexOf(owner);
    if (o >= 0) return this.isCompute ? this.shareFromCompute(o, values, n) : [];
    // An outside data provider: x_0 and x_1 come from fresh seeds sent to their holders,
    // x_2 = x − x_0 − x_1 goes to parties 1 and 2; 2n elements in all, one round.
    if (this.comm.self === owner) {
      const s0 = randomBytes(SEED_BYTES);
      const s1 = randomBytes(SEED_BYTES);
      const x0 = new Prg(s0).ring(n);
      const x1 = new Prg(s1).ring(n);
      const x2 = R.sub(R.uninit(n), R.sub(R.uninit(n), values!, x0), x1);
      const x2b = new Uint8Array(x2.buffer);
      this.comm.send(this.party(0), 'rep3.input', concatBytes(s0, s1));
      this.comm.send(this.party(1), 'rep3.input', concatBytes(s1, x2b));
      this.comm.send(this.party(2), 'rep3.input', concatBytes(s0, x2b));
      return [];
    }
    if (!this.isCompute) return [];
    this.comm.round();
    const i = this.index;
    const msg = await this.comm.recvBytes(owner, 'rep3.input', i === 0 ? 2 * SEED_BYTES : SEED_BYTES + 8 * n);
    if (i === 0) return [new Prg(ownBytes(msg, 0, 16)).ring(n), new Prg(ownBytes(msg, 16, 32)).ring(n)];
    const seedPart = new Prg(ownBytes(msg, 0, 16)).ring(n);
    const x2 = new BigUint64Array(ownBytes(msg, 16).buffer, 0, n);
    return i === 1 ? [seedPart, x2] : [x2, seedPart];
  }

  #open(x: Parts, n: number, to: readonly string[], boolean: boolean, step: string): Promise<BigUint64Array | undefined> {
    const combine = boolean ? R.xor : R.add;
    const i = this.index;
    if (this.isCompute) {
      this.comm.round();
      for (const r of to) {
        const ri = this.computeParties.indexOf(r);
        if (ri >= 0) {
          if (i === (ri + 2) % 3) this.comm.send(r, step, x[0]!);
        } else if (i === 0) {
          this.comm.send(r, step, combine(fresh(n), x[0]!, x[1]!));
        } else if (i === 1) {
          this.comm.send(r, step, x[1]!);
        }
      }
    }
    if (!to.includes(this.comm.self)) return Promise.resolve(undefined);
    if (this.isCompute) {
      return this.comm.recvRing(this.party(i - 1), step, n).then((other) => combine(fresh(n), combine(fresh(n), x[0]!, x[1]!), other));
    }
    return Promise.all([this.comm.recvRing(this.party(0), step, n), this.comm.recvRing(this.party(1), step, n)]).then(([a, b]) =>
      combine(fresh(n), a, b),
    );
  }

  openA(x: Parts, n: number, to: readonly string[]): Promise<BigUint64Array | undefined> {
    return this.#open(x, n, to, false, 'rep3.open');
  }

  openB(x: Parts, n: number, to: readonly string[]): Promise<BigUint64Array | undefined> {
    return this.#open(x, n, to, true, 'rep3.openb');
  }

  #withPublic(x: Parts, c: bigint | BigUint64Array, n: number, boolean: boolean): Parts {
    // The public value joins component 0, held by party 0 (first part) and party 2 (second).
    const j = this.index === 0 ? 0 : this.index === 2 ? 1 : -1;
    if (j < 0) return x;
    const out = x.slice();
    const p = x[j]!;
    if (typeof c === 'bigint') out[j] = boolean ? R.xorScalar(R.uninit(n), p, c) : R.addScalar(R.uninit(n), p, c);
    else out[j] = boolean ? R.xor(R.uninit(n), p, c) : R.add(R.uninit(n), p, c);
    return out;
  }

  addPublicA(x: Parts, c: bigint | BigUint64Array, n: number): Parts {
    return this.#withPublic(x, c, n, false);
  }

  xorPublicB(x: Parts, c: bigint | BigUint64Array, n: number): Parts {
    return this.#withPublic(x, c, n, true);
  }

  fromPublic(c: BigUint64Array): Parts {
    const n = c.length;
    if (this.index === 0) return [c.slice(), fresh(n)];
    if (this.index === 1) return [fresh(n), fresh(n)];
    if (this.index === 2) return [fresh(n), c.slice()];
    return [];
  }

  /** Passes a 3-of-3 share to the predecessor and completes the replicated pair. */
  async reshare(z: BigUint64Array, n: number, step: string): Promise<Parts> {
    this.comm.send(this.party(this.index - 1), step, z);
    return [z, await this.comm.recvRing(this.party(this.index + 1), step, n)];
  }

  async mulAA(x: Parts, y: Parts, n: number): Promise<Parts> {
    if (!this.isCompute) return [];
    this.comm.round();
    return this.#mulReshare(x, y, n, 'rep3.mul', false);
  }

  /** The local product (3-of-3 shares plus a zero-sharing) and its reshare, in one go or pipelined (`rep3Tuning`). */
  async #mulReshare(x: Parts, y: Parts, n: number, step: string, boolean: boolean): Promise<Parts> {
    if (n <= FORK_ABOVE) {
      const z = R.rep3Mul(R.uninit(n), x[0]!, x[1]!, y[0]!, y[1]!, (p0, p1) => this.rand!.zeroStreams(p0, p1), boolean);
      return this.reshare(z, n, step);
    }
    const seeds = this.rand!.forkZeroSeeds();
    const chunk = rep3Tuning.pipelineChunk;
    if (chunk > 0 && n > chunk) return this.#mulPipelined(x, y, n, step, boolean, seeds, chunk);
    const z = rep3Product(R.uninit(n), x[0]!, x[1]!, y[0]!, y[1]!, seeds, boolean);
    wipe(seeds);
    return this.reshare(z, n, step);
  }

  /**
   * The product and its reshare as a pipeline: the 3-of-3 shares are computed in chunks of
   * `chunk` elements and each chunk is handed to the transport at once (one streamed
   * message to the predecessor, `Comm.sendRingStream`), yielding to I/O between chunks, so
   * this party's first chunks are encrypted, on the wire and being decrypted by the
   * predecessor while it computes the rest; the successor's message is decoded straight into
   * the second part (`recvRing` with a destination). Same messages, bytes and round as
   * `reshare`; the zero-sharing comes from the fork drawn before the first yield.
   */
  async #mulPipelined(x: Parts, y: Parts, n: number, step: string, boolean: boolean, seeds: ZeroSeeds, chunk: number): Promise<Parts> {
    const z = R.uninit(n);
    const other = this.comm.recvRing(this.party(this.index + 1), step, n, R.uninit(n));
    const push = this.comm.sendRingStream(this.party(this.index - 1), step, n);
    const [x0, x1, y0, y1] = [x[0]!, x[1]!, y[0]!, y[1]!];
    const streams = maskStreams(seeds);
    for (let off = 0; off < n; off += chunk) {
      const end = Math.min(n, off + chunk);
      const part = rep3Product(z.subarray(off, end), x0.subarray(off, end), x1.subarray(off, end), y0.subarray(off, end), y1.subarray(off, end), seeds, boolean, off, streams);
      push(part);
      if (end < n) await yieldToIo();
    }
    wipe(seeds);
    return [z, await other];
  }

  /** x·y truncated by `bits`: the product's local cross terms go straight into the truncation. */
  async mulTruncA(x: Parts, y: Parts, n: number, bits: number): Promise<Parts> {
    if (!this.isCompute) return [];
    if (bits <= 0) return this.mulAA(x, y, n);
    const z = rep3Product(R.uninit(n), x[0]!, x[1]!, y[0]!, y[1]!, undefined, false);
    return truncAdditiveRep3(this, z, n, bits);
  }

  async andBB(x: Parts, y: Parts, n: number): Promise<Parts> {
    if (!this.isCompute) return [];
    this.comm.round();
    return this.#mulReshare(x, y, n, 'rep3.and', true);
  }

  async matmulAA(x: Parts, y: Parts, m: number, k: number, n: number): Promise<Parts> {
    if (!this.isCompute) return [];
    this.comm.round();
    const z = fresh(m * n);
    R.matmul(z, x[0]!, R.add(R.uninit(k * n), y[0]!, y[1]!), m, k, n);
    R.matmul(z, x[1]!, y[0]!, m, k, n, true);
    const p0 = fresh(m * n);
    const p1 = fresh(m * n);
    this.rand!.zeroStreams(p0, p1);
    R.add(z, z, R.sub(p0, p0, p1));
    return this.reshare(z, m * n, 'rep3.matmul');
  }

  async matmulTruncA(x: Parts, y: Parts, m: number, k: number, n: number, bits: number): Promise<Parts> {
    if (!this.isCompute) return [];
    if (bits <= 0) return this.matmulAA(x, y, m, k, n);
    const z = fresh(m * n);
    R.matmul(z, x[0]!, R.add(R.uninit(k * n), y[0]!, y[1]!), m, k, n);
    R.matmul(z, x[1]!, y[0]!, m, k, n, true);
    return truncAdditiveRep3(this, z, m * n, bits);
  }

  truncA(x: Parts, n: number, bits: number): Promise<Parts> {
    return this.isCompute ? truncRep3(this, x, n, bits) : Promise.resolve([]);
  }

  a2b(x: Parts, n: number): Promise<Parts> {
    return this.isCompute ? a2bRep3(this, x, n) : Promise.resolve([]);
  }

  msbA(x: Parts, n: number): Promise<Parts> {
    return this.isCompute ? msbRep3(this, x, n) : Promise.resolve([]);
  }

  msbB(x: Parts, n: number): Promise<Parts> {
    return this.isCompute ? msbBRep3(this, x, n) : Promise.resolve([]);
  }

  bitB2A(x: Parts, n: number): Promise<Parts> {
    return this.isCompute ? bitB2ARep3(this, x, n) : Promise.resolve([]);
  }

  b2a(x: Parts, n: number): Promise<Parts> {
    return this.isCompute ? b2aRep3(this, x, n) : Promise.resolve([]);
  }

  shuffle(cols: Parts[], n: number): Promise<Parts[]> {
    return this.isCompute ? shuffleRep3(this, cols, n) : Promise.resolve(cols.map(() => []));
  }

  async finish(): Promise<void> {}
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
