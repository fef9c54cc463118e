/**
 * `runPsi`: ECDH private set intersection between two or more parties over a `Network`.
 * Every party calls it with the same options but its own ids (SPMD, like the MPC engine);
 * `plan.ts` says who masks what and who learns what, this file moves the bytes.
 *
 * Per party: check the shared parameters (hello), then run this party's masking passes in
 * plan order. A pass streams one set through in batches (one message per batch, default
 * 2^14 points = 512 KiB): receive a batch (or hash the next ids), multiply every point by
 * this party's key (`masking-key.ts`), send it to the next hop. Passes overlap across
 * parties, so all of them compute at once; memory per pass is a batch, except where a
 * whole set must be held (the one that is intersected, or shuffled before delivery).
 * Afterwards the receivers intersect (`point-table.ts`) and report.
 *
 * Cost per party: one hash per own id and one X25519 per id of every set (Σ|X_j|), and
 * 32 bytes sent per id per hop. Peers' messages are checked for size and canonical points,
 * results for ids the receiver does not hold; any failure throws a typed error naming the
 * peer and step (`errors.ts`) and aborts the network, so no party is left waiting.
 *
 * Sends are not awaited one by one (a party must keep computing while its batches travel);
 * at most four per peer are in flight before it waits for the transport, which bounds
 * memory and cannot deadlock as long as the transport drains its sockets into its inbox
 * whether or not `recv` is waiting (both of Tacit's networks do).
 *
 * Messages: psi.hello (digest of the parameters, set size, batch size);
 * psi.c<j>.<pos> (set j's batches going into the pass at position pos of its route);
 * psi.f<j> (set j fully masked, to its destination); psi.common.n / psi.common (the
 * combiner's padded intersection, three or more parties); psi.result.n / psi.result
 * (the size, and ids unless cardinality-only, from the primary receiver to the others).
 */
import { randomBytes } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Network } from '../net/types.js';
import { PsiAbortedError, PsiConfigMismatchError, PsiError, PsiMalformedMessageError, PsiUsageError } from './errors.js';
import { hashIdsToU } from './hash-to-curve.js';
import { distinctIds, sortIds } from './ids.js';
import { InvalidPointError, isCanonicalU, MaskingKey, POINT_BYTES } from './masking-key.js';
import { DEFAULT_BATCH, MAX_BATCH, planPsi, type PsiPlan } from './plan.js';
import { PointTable } from './point-table.js';
import { decodeIds, encodeIds } from './id-records.js';
import { shuffleInPlace, shuffleRecords } from './shuffle.js';
import type { PsiOptions, PsiResult } from './psi-types.js';

export type { PsiOptions, PsiResult, PsiStats } from './psi-types.js';


const HELLO_BYTES = 32 + 8 + 4;
const SEND_WINDOW = 4;

/**
 * Runs PSI at this party.
 * @example
 * ```ts
 * // at the bank (and the same call, with its own ids, at the bureau)
 * const { intersection } = await runPsi(net, { parties: ['bank', 'bureau'], receivers: ['bank', 'bureau'], ids });
 * ```
 */
export async function runPsi(net: Network, options: PsiOptions): Promise<PsiResult> {
  const t0 = performance.now();
  if (typeof options !== 'object' || options === null) throw new PsiUsageError('runPsi needs an options object');
  const plan = planPsi(net.self, net.parties, options);
  const batch = options.batchSize ?? DEFAULT_BATCH;
  if (!Number.isInteger(batch) || batch < 1 || batch > MAX_BATCH) throw new PsiUsageError(`batchSize must be an integer in [1, ${MAX_BATCH}], got ${batch}`);
  const { ids, duplicates } = distinctIds(options.ids);
  if (ids.length > 0xffffffff) throw new PsiUsageError('too many ids (at most 2^32 - 1)');
  const run = new PsiRun(net, plan, shuffleInPlace(ids), duplicates, batch, options, t0);
  try {
    return await run.run();
  } catch (err) {
    const e = err instanceof Error ? err : new PsiError('PSI failed', { cause: err });
    await net.abort(e).catch(() => {});
    throw err;
  } finally {
    run.destroy();
  }
}

class PsiRun {
  readonly #net: Network;
  readonly #plan: PsiPlan;
  readonly #own: string[];
  readonly #duplicates: number;
  readonly #batch: number;
  readonly #opts: PsiOptions;
  readonly #key = new MaskingKey();
  readonly #pending = new Map<string, Promise<void>[]>();
  #sendError: unknown;
  #sizes: number[] = [];
  #batches: number[] = [];
  /** Fully masked sets held here, by chain. */
  readonly #full = new Map<number, Uint8Array>();
  #done = 0;
  #total = 0;
  readonly #t0: number;
  #hashSeconds = 0;
  #waitSeconds = 0;

  constructor(net: Network, plan: PsiPlan, own: string[], duplicates: number, batch: number, opts: PsiOptions, t0: number) {
    this.#t0 = t0;
    this.#net = net;
    this.#plan = plan;
    this.#own = own;
    this.#duplicates = duplicates;
    this.#batch = batch;
    this.#opts = opts;
  }

  destroy(): void {
    this.#key.destroy();
    for (const f of this.#full.values()) f.fill(0);
    this.#full.clear();
  }

  async run(): Promise<PsiResult> {
    const meter = this.#net.meter;
    const bytes0 = meter.bytesSent();
    const msgs0 = meter.messagesSent();
    const plan = this.#plan;
    const self = plan.index;

    await this.#hello();
    this.#total = plan.work.reduce((s, w) => s + this.#sizes[w.chain]!, 0);
    for (const item of plan.work) await this.#pass(item.chain, item.pos);
    // Fully masked sets delivered here by their last hops, in chain order.
    for (const c of plan.chains) {
      const last = c.route[c.route.length - 1]!;
      if (c.dest === self && last !== self) this.#full.set(c.owner, await this.#recvPoints(plan.parties[last]!, `psi.f${c.owner}`, this.#sizes[c.owner]!, this.#batches[c.owner]!, true));
    }
    let result: { intersection?: string[]; size?: number } = {};
    if (self === plan.combiner) await this.#combine();
    if (self === plan.primary) result = await this.#intersect();
    else if (plan.receivers.includes(plan.parties[self]!)) result = await this.#recvResult();
    await this.#flush();
    return {
      ...result,
      stats: {
        seconds: (performance.now() - this.#t0) / 1000,
        bytesSent: meter.bytesSent() - bytes0,
        messages: meter.messagesSent() - msgs0,
        rounds: plan.rounds,
        scalarMults: this.#key.count,
        scalarMultSeconds: this.#key.seconds,
        hashSeconds: this.#hashSeconds,
        waitSeconds: this.#waitSeconds,
        setSize: this.#own.length,
        duplicates: this.#duplicates,
      },
    };
  }

  // ---- messages ----

  #check(): void {
    if (this.#opts.signal?.aborted) throw new PsiAbortedError('PSI aborted by the caller', { cause: this.#opts.signal.reason });
    if (this.#sendError !== undefined) throw this.#sendError;
  }

  async #send(peer: string, step: string, data: Uint8Array): Promise<void> {
    this.#check();
    let q = this.#pending.get(peer);
    if (!q) this.#pending.set(peer, (q = []));
    const p = this.#net.send(peer, step, data);
    p.catch((err) => {
      this.#sendError ??= err;
    });
    q.push(p);
    // Flow control: at most SEND_WINDOW messages per peer not yet handed to the transport.
    while (q.length > SEND_WINDOW) await q.shift()!.catch(() => {});
  }

  async #flush(): Promise<void> {
    for (const q of this.#pending.values()) await Promise.all(q.splice(0).map((p) => p.catch(() => {})));
    this.#check();
  }

  async #recv(peer: string, step: string): Promise<Uint8Array> {
    const t0 = performance.now();
    try {
      return await this.#recvOrAbort(peer, step);
    } finally {
      this.#waitSeconds += (performance.now() - t0) / 1000;
    }
  }

  #recvOrAbort(peer: string, step: string): Promise<Uint8Array> {
    this.#check();
    const p = this.#net.recv(peer, step);
    const signal = this.#opts.signal;
    if (!signal) return p;
    return new Promise<Uint8Array>((resolve, reject) => {
      const onAbort = () => reject(new PsiAbortedError('PSI aborted by the caller', { cause: signal.reason }));
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  async #recvBatch(peer: string, step: string, count: number, checkPoints: boolean): Promise<Uint8Array> {
    const msg = await this.#recv(peer, step);
    if (msg.length !== count * POINT_BYTES) {
      throw new PsiMalformedMessageError(peer, step, `expected ${count * POINT_BYTES} bytes (${count} points), got ${msg.length}`);
    }
    if (checkPoints) {
      for (let off = 0; off < msg.length; off += POINT_BYTES) {
        if (!isCanonicalU(msg, off)) throw new PsiMalformedMessageError(peer, step, `value ${off / POINT_BYTES} of the batch is not a canonical curve point`);
      }
    }
    return msg;
  }

  /** `n` points in batches of `batch` from `peer`, into one buffer (grown as data arrives, not on a peer's word). */
  async #recvPoints(peer: string, step: string, n: number, batch: number, checkPoints: boolean): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for (let at = 0; at < n; at += batch) parts.push(await this.#recvBatch(peer, step, Math.min(batch, n - at), checkPoints));
    return concat(parts);
  }

  async #sendPoints(peer: string, step: string, points: Uint8Array, batch: number): Promise<void> {
    const n = points.length / POINT_BYTES;
    for (let at = 0; at < n; at += batch) {
      await this.#send(peer, step, points.slice(at * POINT_BYTES, Math.min(n, at + batch) * POINT_BYTES));
    }
  }

  async #sendCount(peer: string, step: string, n: number): Promise<void> {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
    await this.#send(peer, step, b);
  }

  async #recvCount(peer: string, step: string, max: number): Promise<number> {
    const b = await this.#recv(peer, step);
    if (b.length !== 8) throw new PsiMalformedMessageError(peer, step, `expected an 8-byte count, got ${b.length} bytes`);
    const n = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
    if (n > BigInt(max)) throw new PsiMalformedMessageError(peer, step, `count ${n} exceeds the bound ${max}`);
    return Number(n);
  }

  // ---- protocol ----

  /** Every party tells every other the parameters' digest, its set size and its batch size. */
  async #hello(): Promise<void> {
    const plan = this.#plan;
    const self = plan.index;
    const hello = new Uint8Array(HELLO_BYTES);
    const dv = new DataView(hello.buffer);
    hello.set(plan.digest, 0);
    dv.setBigUint64(32, BigInt(this.#own.length), true);
    dv.setUint32(40, this.#batch, true);
    const m = plan.parties.length;
    for (let j = 0; j < m; j++) if (j !== self) await this.#send(plan.parties[j]!, 'psi.hello', hello);
    this.#sizes = new Array<number>(m);
    this.#batches = new Array<number>(m);
    this.#sizes[self] = this.#own.length;
    this.#batches[self] = this.#batch;
    await Promise.all(
      plan.parties.map(async (peer, j) => {
        if (j === self) return;
        const msg = await this.#recv(peer, 'psi.hello');
        if (msg.length !== HELLO_BYTES) throw new PsiMalformedMessageError(peer, 'psi.hello', `expected ${HELLO_BYTES} bytes, got ${msg.length}`);
        for (let k = 0; k < 32; k++) {
          if (msg[k] !== plan.digest[k]) throw new PsiConfigMismatchError(peer, 'psi.hello', 'parties, receivers, mode or protocol version differ');
        }
        const v = new DataView(msg.buffer, msg.byteOffset, msg.length);
        const n = v.getBigUint64(32, true);
        const b = v.getUint32(40, true);
        if (n > 0xffffffffn) throw new PsiMalformedMessageError(peer, 'psi.hello', `set size ${n} out of range`);
        if (b < 1 || b > MAX_BATCH) throw new PsiMalformedMessageError(peer, 'psi.hello', `batch size ${b} out of range`);
        this.#sizes[j] = Number(n);
        this.#batches[j] = b;
      }),
    );
  }

  /** One masking pass: set `chain` at position `pos` of its route. */
  async #pass(chain: number, pos: number): Promise<void> {
    const plan = this.#plan;
    const c = plan.chains[chain]!;
    const m = c.route.length;
    const n = this.#sizes[chain]!;
    const batch = this.#batches[chain]!;
    const from = pos > 0 ? plan.parties[c.route[pos - 1]!]! : undefined;
    const inStep = `psi.c${chain}.${pos}`;
    const last = pos === m - 1;
    const next = last ? undefined : plan.parties[c.route[pos + 1]!]!;
    const dest = plan.parties[c.dest]!;
    const hold = last && (c.dest === plan.index || c.shuffle);
    const held: Uint8Array[] = [];
    for (let at = 0; at < n; at += batch) {
      const cnt = Math.min(batch, n - at);
      const points = new Uint8Array(cnt * POINT_BYTES);
      if (from === undefined) {
        const t0 = performance.now();
        hashIdsToU(this.#own, at, at + cnt, points);
        this.#hashSeconds += (performance.now() - t0) / 1000;
        this.#key.mask(points, points);
      } else {
        const got = await this.#recvBatch(from, inStep, cnt, false);
        try {
          this.#key.mask(got, points);
        } catch (err) {
          if (err instanceof InvalidPointError) throw new PsiMalformedMessageError(from, inStep, `value ${err.index} of the batch: ${err.reason}`);
          throw err;
        }
      }
      if (next !== undefined) await this.#send(next, `psi.c${chain}.${pos + 1}`, points);
      else if (hold) held.push(points);
      else await this.#send(dest, `psi.f${chain}`, points);
      this.#done += cnt;
      this.#opts.onProgress?.(this.#done, this.#total);
      // Let the transport write what was queued and read what arrived.
      await yieldToEventLoop();
      this.#check();
    }
    if (!hold) return;
    const full = concat(held);
    for (const h of held) h.fill(0);
    if (c.dest === plan.index) this.#full.set(chain, full);
    else {
      const shuffled = shuffleRecords(full, POINT_BYTES);
      full.fill(0);
      await this.#sendPoints(dest, `psi.f${chain}`, shuffled, batch);
    }
  }

  /** Combiner (three or more parties): intersect the non-primary sets, pad, shuffle, send to R. */
  async #combine(): Promise<void> {
    const plan = this.#plan;
    const others = plan.chains.filter((c) => c.owner !== plan.primary).map((c) => c.owner);
    let common = this.#full.get(others[0]!)!;
    for (const j of others.slice(1)) {
      const table = new PointTable(this.#full.get(j)!);
      const keep = new Uint8Array(common.length);
      let k = 0;
      for (let off = 0; off < common.length; off += POINT_BYTES) {
        if (table.indexOf(common, off) >= 0) {
          keep.set(common.subarray(off, off + POINT_BYTES), k);
          k += POINT_BYTES;
        }
      }
      common = keep.subarray(0, k);
    }
    // Pad with random points (canonical, and matching nothing but with probability ~n^2 / 2^252)
    // to the smallest set's size, which R knows anyway: R learns nothing from the count.
    const target = Math.min(...others.map((j) => this.#sizes[j]!));
    const padded = new Uint8Array(target * POINT_BYTES);
    padded.set(common);
    const pad = randomBytes(padded.length - common.length);
    for (let off = 31; off < pad.length; off += POINT_BYTES) pad[off]! &= 0x3f;
    padded.set(pad, common.length);
    const out = shuffleRecords(padded, POINT_BYTES);
    const primary = plan.parties[plan.primary]!;
    await this.#sendCount(primary, 'psi.common.n', target);
    await this.#sendPoints(primary, 'psi.common', out, this.#batch);
    for (const j of others) this.#full.get(j)!.fill(0);
  }

  /** Primary receiver: intersect F_R with the other set, map back, tell the other receivers. */
  async #intersect(): Promise<{ intersection?: string[]; size: number }> {
    const plan = this.#plan;
    const self = plan.index;
    const mine = this.#full.get(self)!;
    let theirs: Uint8Array;
    if (plan.combiner === undefined) theirs = this.#full.get(1 - self)!;
    else {
      const c = plan.parties[plan.combiner]!;
      const n = await this.#recvCount(c, 'psi.common.n', Math.max(...this.#sizes));
      theirs = await this.#recvPoints(c, 'psi.common', n, this.#batches[plan.combiner]!, true);
    }
    const table = new PointTable(theirs);
    const matches: number[] = [];
    for (let i = 0, off = 0; off < mine.length; i++, off += POINT_BYTES) if (table.indexOf(mine, off) >= 0) matches.push(i);
    theirs.fill(0);
    const others = plan.receivers.filter((r) => r !== plan.parties[self]);
    if (plan.cardinalityOnly) {
      for (const r of others) await this.#sendCount(r, 'psi.result.n', matches.length);
      return { size: matches.length };
    }
    const intersection = sortIds(matches.map((i) => this.#own[i]!));
    for (const r of others) {
      await this.#sendCount(r, 'psi.result.n', intersection.length);
      for (let at = 0; at < intersection.length; at += this.#batch) {
        await this.#send(r, 'psi.result', encodeIds(intersection, at, Math.min(intersection.length, at + this.#batch)));
      }
    }
    return { intersection, size: intersection.length };
  }

  /** Other receivers: the result from the primary, checked against this party's own set. */
  async #recvResult(): Promise<{ intersection?: string[]; size: number }> {
    const plan = this.#plan;
    const primary = plan.parties[plan.primary]!;
    const n = await this.#recvCount(primary, 'psi.result.n', Math.min(...this.#sizes));
    if (plan.cardinalityOnly) return { size: n };
    const mine = new Set(this.#own);
    const seen = new Set<string>();
    const batch = this.#batches[plan.primary]!;
    for (let at = 0; at < n; at += batch) {
      const cnt = Math.min(batch, n - at);
      const msg = await this.#recv(primary, 'psi.result');
      const ids = decodeIds(msg, cnt, primary);
      for (const id of ids) {
        if (!mine.has(id)) throw new PsiMalformedMessageError(primary, 'psi.result', 'the result names an id this party does not hold');
        if (seen.has(id)) throw new PsiMalformedMessageError(primary, 'psi.result', 'the result repeats an id');
        seen.add(id);
      }
    }
    return { intersection: sortIds([...seen]), size: n };
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
