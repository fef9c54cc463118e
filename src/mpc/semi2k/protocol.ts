/**
 * `semi2k`: N ≥ 2 parties, additive secret sharing over Z_2^64, dishonest majority,
 * semi-honest security, with correlated randomness from a `Preprocessing` source — the
 * SPDZ2k online phase without MACs (Cramer, Damgård, Escudero, Scholl, Xing, CRYPTO 2018)
 * and SPU's `semi2k`.
 *
 * A value x = Σ x_i; party i holds x_i. Linear maps are local. A product opens
 * d = x − a and e = y − b against a Beaver triple (Beaver, CRYPTO 1991): one round, two
 * ring elements to every other party. Truncation opens x + r against dealt bits of r
 * (Dalskov, Escudero, Keller 2020); share conversion opens x + r against an edaBit
 * (Escudero, Ghosh, Keller, Rachuri, Scholl, CRYPTO 2020) and runs a Kogge–Stone adder
 * with public and shared inputs; bit injection opens b XOR r against a daBit.
 */
import { keepFreedMemoryResident } from '../resident-memory.js';
import * as R from '../../crypto/ring64.js';
import { Prg, SEED_BYTES } from '../../crypto/prg.js';
import { randomBytes } from 'node:crypto';
import type { Comm } from '../comm.js';
import { msbFromGP, sumFromGP } from '../circuits/adder.js';
import { andPublicParts, xorParts } from '../parts.js';
import type { Parts, Protocol } from '../protocol.js';
import { createPreprocessing, type Preprocessing, type PreprocessingConfig } from './preprocessing.js';
import { permutationFromSeed, permuteRows } from './correlations.js';

const fresh = (n: number) => new BigUint64Array(n);
const TOP = 1n << 62n;

export class Semi2kProtocol implements Protocol {
  readonly name = 'semi2k' as const;
  readonly partsPerShare = 1;
  readonly computeParties: readonly string[];
  readonly index: number;
  readonly comm: Comm;
  readonly #pp: Preprocessing | undefined;
  /** Streams shared with each other compute party (undefined at self and non-computing members). */
  readonly #pairs: (Prg | undefined)[];

  private constructor(comm: Comm, parties: readonly string[], pp: Preprocessing | undefined, pairs: (Prg | undefined)[]) {
    this.comm = comm;
    this.computeParties = parties;
    this.index = parties.indexOf(comm.self);
    this.#pp = pp;
    this.#pairs = pairs;
  }

  static async create(comm: Comm, parties: readonly string[], preprocessing: PreprocessingConfig): Promise<Semi2kProtocol> {
    if (parties.length < 2) throw new RangeError(`semi2k needs at least 2 compute parties, got ${parties.length}`);
    const index = parties.indexOf(comm.self);
    if (index < 0) return new Semi2kProtocol(comm, parties, undefined, []);
    // Products and OT triples drop and allocate MBs of shares and messages per chunk: keep freed blocks mapped (resident-memory.ts).
    keepFreedMemoryResident();
    // Pairwise seeds: the lower index draws and sends.
    const pairs: (Prg | undefined)[] = parties.map(() => undefined);
    const waits: Promise<void>[] = [];
    parties.forEach((peer, j) => {
      if (j === index) return;
      if (index < j) {
        const seed = randomBytes(SEED_BYTES);
        comm.send(peer, 'semi2k.seed', seed);
        pairs[j] = new Prg(seed);
      } else {
        waits.push(comm.recvBytes(peer, 'semi2k.seed', SEED_BYTES).then((s) => void (pairs[j] = new Prg(s))));
      }
    });
    await Promise.all(waits);
    const pp = await createPreprocessing(comm, parties, index, preprocessing);
    return new Semi2kProtocol(comm, parties, pp, pairs);
  }

  get isCompute(): boolean {
    return this.index >= 0;
  }

  get #leader(): boolean {
    return this.index === 0;
  }

  /** Sends this party's share to every other compute party and returns the opened sum. */
  async #exchange(share: BigUint64Array, n: number, boolean: boolean, step: string): Promise<BigUint64Array> {
    const combine = boolean ? R.xor : R.add;
    for (const peer of this.computeParties) if (peer !== this.comm.self) this.comm.send(peer, step, share);
    const out = share.slice();
    const others = await Promise.all(
      this.computeParties.filter((p) => p !== this.comm.self).map((p) => this.comm.recvRing(p, step, n)),
    );
    for (const o of others) combine(out, out, o);
    return out;
  }

  async inputA(owner: string, values: BigUint64Array | undefined, n: number): Promise<Parts> {
    const o = this.computeParties.indexOf(owner);
    if (o >= 0) {
      // Shares of the others come from the pair streams: no message, no round.
      if (!this.isCompute) return [];
      if (this.index !== o) return [this.#pairs[o]!.ring(n)];
      const mine = values!.slice();
      this.#pairs.forEach((s, j) => {
        if (j !== o) R.sub(mine, mine, s!.ring(n));
      });
      return [mine];
    }
    if (this.comm.self === owner) {
      const mine = values!.slice();
      for (let j = 1; j < this.computeParties.length; j++) {
        const seed = randomBytes(SEED_BYTES);
        R.sub(mine, mine, new Prg(seed).ring(n));
        this.comm.send(this.computeParties[j]!, 'semi2k.input', seed);
      }
      this.comm.send(this.computeParties[0]!, 'semi2k.input', mine);
      return [];
    }
    if (!this.isCompute) return [];
    this.comm.round();
    if (this.#leader) return [await this.comm.recvRing(owner, 'semi2k.input', n)];
    return [new Prg(await this.comm.recvBytes(owner, 'semi2k.input', SEED_BYTES)).ring(n)];
  }

  async #open(x: Parts, n: number, to: readonly string[], boolean: boolean, step: string): Promise<BigUint64Array | undefined> {
    const combine = boolean ? R.xor : R.add;
    if (this.isCompute) {
      this.comm.round();
      for (const r of to) if (r !== this.comm.self) this.comm.send(r, step, x[0]!);
    }
    if (!to.includes(this.comm.self)) return undefined;
    const senders = this.computeParties.filter((p) => p !== this.comm.self);
    const parts = await Promise.all(senders.map((p) => this.comm.recvRing(p, step, n)));
    const out = this.isCompute ? x[0]!.slice() : fresh(n);
    for (const p of parts) combine(out, out, p);
    return out;
  }

  openA(x: Parts, n: number, to: readonly string[]): Promise<BigUint64Array | undefined> {
    return this.#open(x, n, to, false, 'semi2k.open');
  }

  openB(x: Parts, n: number, to: readonly string[]): Promise<BigUint64Array | undefined> {
    return this.#open(x, n, to, true, 'semi2k.openb');
  }

  addPublicA(x: Parts, c: bigint | BigUint64Array, n: number): Parts {
    if (!this.#leader) return x;
    return [typeof c === 'bigint' ? R.addScalar(R.uninit(n), x[0]!, c) : R.add(R.uninit(n), x[0]!, c)];
  }

  xorPublicB(x: Parts, c: bigint | BigUint64Array, n: number): Parts {
    if (!this.#leader) return x;
    return [typeof c === 'bigint' ? R.xorScalar(R.uninit(n), x[0]!, c) : R.xor(R.uninit(n), x[0]!, c)];
  }

  fromPublic(c: BigUint64Array): Parts {
    if (!this.isCompute) return [];
    return [this.#leader ? c.slice() : fresh(c.length)];
  }

  async #beaver(x: Parts, y: Parts, n: number, boolean: boolean): Promise<Parts> {
    if (!this.isCompute) return [];
    const [a, b, c] = await this.#pp!.get(boolean ? { kind: 'band', n } : { kind: 'beaver', n });
    this.comm.round();
    const de = fresh(2 * n);
    const sub = boolean ? R.xor : R.sub;
    sub(de.subarray(0, n), x[0]!, a!);
    sub(de.subarray(n), y[0]!, b!);
    const opened = await this.#exchange(de, 2 * n, boolean, boolean ? 'semi2k.and' : 'semi2k.mul');
    return [R.beaver(R.uninit(n), c!, a!, b!, opened.subarray(0, n), opened.subarray(n), this.#leader, boolean)];
  }

  mulAA(x: Parts, y: Parts, n: number): Promise<Parts> {
    return this.#beaver(x, y, n, false);
  }

  andBB(x: Parts, y: Parts, n: number): Promise<Parts> {
    return this.#beaver(x, y, n, true);
  }

  async matmulAA(x: Parts, y: Parts, m: number, k: number, n: number): Promise<Parts> {
    if (!this.isCompute) return [];
    const [A, B, C] = await this.#pp!.get({ kind: 'matmul', m, k, n });
    this.comm.round();
    const de = fresh(m * k + k * n);
    R.sub(de.subarray(0, m * k), x[0]!, A!);
    R.sub(de.subarray(m * k), y[0]!, B!);
    const opened = await this.#exchange(de, m * k + k * n, false, 'semi2k.matmul');
    const D = opened.subarray(0, m * k);
    const E = opened.subarray(m * k);
    const Z = C!.slice();
    R.matmul(Z, D, B!, m, k, n, true);
    R.matmul(Z, A!, E, m, k, n, true);
    if (this.#leader) R.matmul(Z, D, E, m, k, n, true);
    return [Z];
  }

  async truncA(x: Parts, n: number, bits: number): Promise<Parts> {
    if (!this.isCompute || bits <= 0) return this.isCompute ? x : [];
    const [r, rb, rc] = await this.#pp!.get({ kind: 'trunc', n, bits });
    this.comm.round();
    const masked = R.add(R.uninit(n), x[0]!, r!);
    if (this.#leader) R.addScalar(masked, masked, TOP);
    const c = await this.#exchange(masked, n, false, 'semi2k.trunc');
    return [R.truncShare(R.uninit(n), c, rb!, rc!, bits, this.#leader)];
  }

  /** Opens c = x + r against an edaBit; returns c and the boolean shares of −r. */
  async #maskWithEdabits(x: Parts, n: number): Promise<[BigUint64Array, Parts, BigUint64Array]> {
    const [rA, sB] = await this.#pp!.get({ kind: 'edabits', n });
    this.comm.round();
    const c = await this.#exchange(R.add(R.uninit(n), x[0]!, rA!), n, false, 'semi2k.a2b');
    return [c, [sB!], rA!];
  }

  async mulTruncA(x: Parts, y: Parts, n: number, bits: number): Promise<Parts> {
    return this.truncA(await this.mulAA(x, y, n), n, bits);
  }

  async matmulTruncA(x: Parts, y: Parts, m: number, k: number, n: number, bits: number): Promise<Parts> {
    return this.truncA(await this.matmulAA(x, y, m, k, n), m * n, bits);
  }

  async a2b(x: Parts, n: number): Promise<Parts> {
    if (!this.isCompute) return [];
    const [c, s] = await this.#maskWithEdabits(x, n);
    // x = c + s with c public: generate and propagate are local.
    return sumFromGP(this, andPublicParts(s, c), this.xorPublicB(s, c, n), n);
  }

  async msbB(x: Parts, n: number): Promise<Parts> {
    if (!this.isCompute) return [];
    const [c, s] = await this.#maskWithEdabits(x, n);
    return msbFromGP(this, andPublicParts(s, c), this.xorPublicB(s, c, n), n);
  }

  async msbA(x: Parts, n: number): Promise<Parts> {
    if (!this.isCompute) return [];
    return this.bitB2A(await this.msbB(x, n), n);
  }

  async bitB2A(x: Parts, n: number): Promise<Parts> {
    if (!this.isCompute) return [];
    const [rA, rB] = await this.#pp!.get({ kind: 'dabits', n });
    this.comm.round();
    const masked = R.andScalar(R.uninit(n), R.xor(R.uninit(n), x[0]!, rB!), 1n);
    const c = await this.#exchange(masked, n, true, 'semi2k.b2a');
    // b = c + r − 2cr = r·(1 − 2c) + c.
    const oneMinus2c = R.addScalar(R.uninit(n), R.neg(R.uninit(n), R.shl(R.uninit(n), c, 1)), 1n);
    const out = R.mul(R.uninit(n), rA!, oneMinus2c);
    if (this.#leader) R.add(out, out, c);
    return [out];
  }

  async b2a(x: Parts, n: number): Promise<Parts> {
    if (!this.isCompute) return [];
    const [rA, sB] = await this.#pp!.get({ kind: 'edabits', n });
    // y = x − r in the boolean domain, opened; then x = y + r.
    const s: Parts = [sB!];
    const G = await this.andBB(x, s, n);
    const y = await sumFromGP(this, G, xorParts(x, s), n);
    const opened = (await this.openB(y, n, this.computeParties))!;
    const out = rA!.slice();
    if (this.#leader) R.add(out, out, opened);
    return [out];
  }

  /**
   * Oblivious shuffle: N passes, in pass i a permutation π_i known only to party i (and the
   * dealer) is applied against a (r, π_i(r)) correlation — the others send x_j + r_j to
   * party i, which opens c = x + r, forms π_i(c) = π_i(x) + π_i(r) and keeps π_i(c) minus its
   * share of π_i(r) (Laur, Willemson & Zhang, ISC 2011, with dealt correlations). No party
   * knows the composition; party i sees only x masked by r. One round per party.
   */
  async shuffle(cols: Parts[], n: number): Promise<Parts[]> {
    if (!this.isCompute) return cols.map(() => []);
    const width = cols.length;
    // Row-major n × width: row t holds element t of every column.
    let x = R.uninit(n * width);
    cols.forEach((c, k) => {
      const src = new Uint32Array(c[0]!.buffer, c[0]!.byteOffset, 2 * n);
      const dst = new Uint32Array(x.buffer, x.byteOffset, 2 * n * width);
      for (let t = 0; t < n; t++) {
        dst[2 * (t * width + k)] = src[2 * t]!;
        dst[2 * (t * width + k) + 1] = src[2 * t + 1]!;
      }
    });
    const m = n * width;
    for (let i = 0; i < this.computeParties.length; i++) {
      const [r, pr, seed] = await this.#pp!.get({ kind: 'shuffle', n, width, permuter: i });
      this.comm.round();
      const masked = R.add(R.uninit(m), x, r!);
      const permuter = this.computeParties[i]!;
      if (this.index === i) {
        const others = this.computeParties.filter((p) => p !== permuter);
        const parts = await Promise.all(others.map((p) => this.comm.recvRing(p, 'semi2k.shuffle', m)));
        for (const q of parts) R.add(masked, masked, q);
        const y = permuteRows(masked, permutationFromSeed(seed!, n), width);
        x = R.sub(y, y, pr!);
      } else {
        this.comm.send(permuter, 'semi2k.shuffle', masked);
        x = R.neg(R.uninit(m), pr!);
      }
    }
    return cols.map((_, k) => {
      const out = R.uninit(n);
      const src = new Uint32Array(x.buffer, x.byteOffset, 2 * m);
      const dst = new Uint32Array(out.buffer, out.byteOffset, 2 * n);
      for (let t = 0; t < n; t++) {
        dst[2 * t] = src[2 * (t * width + k)]!;
        dst[2 * t + 1] = src[2 * (t * width + k) + 1]!;
      }
      return [out];
    });
  }

  async finish(): Promise<void> {
    await this.#pp?.close();
  }
}
