/**
 * Two-party PSI from an OT-based OPRF: KKRT (Kolesnikov, Kumaresan, Rosulek, Trieu, CCS 2016)
 * with cuckoo hashing — the protocol that made PSI a matter of symmetric crypto. The primary
 * receiver R (receivers[0]) cuckoo-hashes its set into bins (cuckoo.ts) and runs one OPRF
 * per bin on the item there (kkrt.ts); the sender S evaluates the OPRF of each bin on each of
 * its items at that item's three candidate bins and sends the 3·|Y| values, in the order of
 * its shuffled set; R looks up its own values among them. Cost: 512 bits of OT extension
 * per bin from R, 3 × 12 bytes per item from S, AES for the rest — no public-key operation
 * after 128 base OTs.
 *
 * Output and leakage (semi-honest): R learns X ∩ Y and |Y|; S learns |X| (from the number of
 * bins) and nothing else; other receivers get the result from R, as in the ECDH protocol.
 * Values are 12 bytes: 96 bits keeps a false match below 2^-40 up to 3·|X|·|Y| = 2^56.
 * R learns which of its items matched, so this protocol cannot give cardinality only (use
 * ECDH for that, and for more than two parties: src/psi/select.ts).
 *
 * Messages: psi.oprf.hello (parameter digest, sizes, R's hash seed and bin count); the OT
 * set-up (src/ot); psi.oprf.u (extension columns, per batch of bins); psi.oprf.f (S's values,
 * per batch of items); psi.result.n / psi.result (to other receivers).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Network } from '../../net/types.js';
import { Comm } from '../../mpc/comm.js';
import { channelTo } from '../../ot/channel.js';
import { setupOtPair, type ExtensionSender } from '../../ot/iknp.js';
import { PsiConfigMismatchError, PsiError, PsiMalformedMessageError, PsiUsageError } from '../errors.js';
import { distinctIds, sortIds } from '../ids.js';
import { shuffleInPlace } from '../shuffle.js';
import type { PsiOptions, PsiResult } from '../run-psi.js';
import { binCount, cuckooInsert, EMPTY, HASHES } from './cuckoo.js';
import { FIXED_KEY } from '../../ot/aes-hash.js';
import { nativeOtKernels, type NativeOtKernels } from '../../ot/native-kernels.js';
import { CODE_BYTES, codewords, kkrtEvaluateUnhashed, kkrtReceiverSetup, kkrtSenderSetup, rowHash } from './kkrt.js';

export const OPRF_VALUE_BYTES = 12;
const VERSION = 1;
const BIN_BATCH = 1 << 16;
const ITEM_BATCH = 1 << 16;
const MAX_RETRIES = 8;

const DIGEST_PREFIX = 'tacit/psi/oprf/v1';

/**
 * SHA-256(prefix ‖ seed ‖ id): bytes 0–15 the code digest, 16–27 three bin indices (mod `bins`).
 * Natively in one call where the OT kernels are built (the ids packed as UTF-8 with their end
 * offsets); `native` null forces the hash object per id (test/psi/oprf-native.test.ts compares).
 */
export function digestIds(seed: Uint8Array, ids: readonly string[], bins: number, native: NativeOtKernels | null | undefined = nativeOtKernels): { digests: Uint8Array; cand: Uint32Array } {
  const digests = new Uint8Array(ids.length * 16);
  const cand = new Uint32Array(ids.length * HASHES);
  if (native) {
    let chars = 0;
    for (const id of ids) chars += id.length;
    const packed = new Uint8Array(3 * chars); // UTF-8 takes at most 3 bytes per UTF-16 unit
    const ends = new Uint32Array(ids.length);
    const enc = new TextEncoder();
    let at = 0;
    for (let j = 0; j < ids.length; j++) {
      at += enc.encodeInto(ids[j]!, packed.subarray(at)).written;
      ends[j] = at;
    }
    native.oprfDigests(Buffer.concat([Buffer.from(DIGEST_PREFIX), seed]), packed, ends, bins, digests, cand);
    return { digests, cand };
  }
  const base = createHash('sha256').update(DIGEST_PREFIX).update(seed);
  ids.forEach((id, j) => {
    const d = base.copy().update(id, 'utf8').digest();
    digests.set(d.subarray(0, 16), 16 * j);
    for (let i = 0; i < HASHES; i++) cand[j * HASHES + i] = d.readUInt32LE(16 + 4 * i) % bins;
  });
  return { digests, cand };
}

/** Digests tweaked by the hash-function index i (byte 4), so x's value at h_i differs per i. */
function tweak(digests: Uint8Array, i: number): Uint8Array {
  const out = digests.slice();
  for (let j = 0; j < out.length; j += 16) out[j + 4]! ^= i;
  return out;
}

function paramsDigest(options: PsiOptions): Uint8Array {
  return createHash('sha256')
    .update(JSON.stringify({ v: VERSION, protocol: 'oprf', parties: options.parties, receivers: options.receivers }))
    .digest();
}

/** Runs OPRF-PSI at this party (exactly two parties; not cardinality-only). */
export async function runOprfPsi(net: Network, options: PsiOptions): Promise<PsiResult> {
  const t0 = performance.now();
  const { parties, receivers } = options;
  if (!Array.isArray(parties) || parties.length !== 2) throw new PsiUsageError(`OPRF PSI runs between exactly two parties, got ${Array.isArray(parties) ? parties.length : 'none'}`, { hint: 'Use the ECDH protocol for three or more parties.' });
  if (options.cardinalityOnly) throw new PsiUsageError('OPRF PSI cannot reveal the cardinality only', { hint: 'Use the ECDH protocol for --cardinality-only.' });
  if (!Array.isArray(receivers) || receivers.length === 0 || receivers.some((r) => !parties.includes(r))) throw new PsiUsageError('receivers must be PSI parties (at least one)');
  if (!parties.includes(net.self)) throw new PsiUsageError(`${net.self} is not a PSI party`);
  const { ids, duplicates } = distinctIds(options.ids);
  shuffleInPlace(ids);
  const primary = receivers[0]!;
  const peer = parties.find((p) => p !== net.self)!;
  const comm = new Comm(net);
  const meter = net.meter;
  const bytes0 = meter.bytesSent();
  const msgs0 = meter.messagesSent();
  try {
    const isR = net.self === primary;
    const result = isR ? await asReceiver(comm, peer, ids, options) : await asSender(comm, peer, ids, options);
    return {
      ...result,
      stats: {
        seconds: (performance.now() - t0) / 1000,
        bytesSent: meter.bytesSent() - bytes0,
        messages: meter.messagesSent() - msgs0,
        rounds: 4,
        scalarMults: 0,
        scalarMultSeconds: 0,
        hashSeconds: 0,
        waitSeconds: 0,
        setSize: ids.length,
        duplicates,
      },
    };
  } catch (err) {
    const e = err instanceof Error ? err : new PsiError('PSI failed', { cause: err });
    await net.abort(e).catch(() => {});
    throw err;
  }
}

const u32le = (x: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(x >>> 0);
  return b;
};

async function hello(comm: Comm, peer: string, mine: Uint8Array, options: PsiOptions, extra: number): Promise<Buffer> {
  comm.send(peer, 'psi.oprf.hello', mine);
  const theirs = Buffer.from(await comm.recvBytes(peer, 'psi.oprf.hello', 32 + 4 + extra));
  if (!theirs.subarray(0, 32).equals(Buffer.from(paramsDigest(options)))) {
    throw new PsiConfigMismatchError(peer, 'psi.oprf.hello', 'the peer runs OPRF PSI with different parameters (parties, receivers or version)');
  }
  return theirs;
}

async function asReceiver(comm: Comm, peer: string, ids: string[], options: PsiOptions): Promise<{ intersection: string[]; size: number }> {
  const n = ids.length;
  const bins = binCount(n);
  let seed: Uint8Array = new Uint8Array(16);
  let placed: ReturnType<typeof cuckooInsert>;
  let digests: Uint8Array = new Uint8Array(0);
  for (let attempt = 0; ; attempt++) {
    seed = new Uint8Array(randomBytes(16));
    const d = digestIds(seed, ids, bins);
    placed = cuckooInsert(d.cand, n, bins);
    digests = d.digests;
    if (placed) break;
    if (attempt >= MAX_RETRIES) throw new PsiError('Cuckoo hashing failed repeatedly', { hint: 'This should not happen; retry the PSI.' });
  }
  const mine = Buffer.concat([paramsDigest(options), u32le(n), seed, u32le(bins)]);
  const theirs = await hello(comm, peer, mine, options, 0);
  const nS = theirs.readUInt32LE(32);

  const ch = channelTo(comm, peer);
  const pair = await setupOtPair(ch);
  const ext = await kkrtReceiverSetup(pair);
  // One code row per bin: the tweaked digest of the item there, or randomness.
  const { item, which } = placed!;
  const padded = Math.ceil(bins / 128) * 128;
  const binDigests = new Uint8Array(randomBytes(padded * 16));
  for (let b = 0; b < bins; b++) {
    const x = item[b]!;
    if (x === EMPTY) continue;
    binDigests.set(digests.subarray(16 * x, 16 * x + 16), 16 * b);
    binDigests[16 * b + 4]! ^= which[b]!;
  }
  const own = new Uint8Array(padded * OPRF_VALUE_BYTES);
  for (let b0 = 0; b0 < padded; b0 += BIN_BATCH) {
    const m = Math.min(BIN_BATCH, padded - b0);
    const { u, t } = ext.prepareRows(codewords(binDigests.subarray(16 * b0, 16 * (b0 + m))), m);
    comm.send(peer, 'psi.oprf.u', u);
    rowValuesInto(t, own.subarray(b0 * OPRF_VALUE_BYTES, (b0 + m) * OPRF_VALUE_BYTES));
    options.onProgress?.(b0 + m, padded);
  }
  // Table of this party's values (occupied bins only), open addressing on the first word.
  const table = new ValueTable(own, item, bins);
  const matched = new Uint8Array(n);
  for (let j0 = 0; j0 < nS; j0 += ITEM_BATCH) {
    const cnt = Math.min(ITEM_BATCH, nS - j0);
    const f = await comm.recvBytes(peer, 'psi.oprf.f', HASHES * cnt * OPRF_VALUE_BYTES);
    for (let k = 0; k < HASHES * cnt; k++) {
      const b = table.find(f, k * OPRF_VALUE_BYTES);
      if (b >= 0) matched[item[b]!] = 1;
    }
  }
  const intersection = sortIds(ids.filter((_, x) => matched[x] === 1));
  for (const r of options.receivers) if (r !== comm.self) await sendResult(comm, r, intersection);
  return { intersection, size: intersection.length };
}

/** H's first 12 bytes of each 64-byte row into `out`: natively in one call where the OT kernels are built (null: the JavaScript path). */
export function rowValuesInto(rows: Uint8Array, out: Uint8Array, native: NativeOtKernels | null | undefined = nativeOtKernels): void {
  if (native) native.kkrtRowValues(FIXED_KEY, rows, out);
  else out.set(rowHashTrunc(rows));
}

/**
 * The sender's values of items [j0, j0 + cnt): for item j and hash i, F_{h_i(y_j)}(y_j ‖ i) at slot
 * 3j + i. Natively in one call where the OT kernels are built (the same bytes,
 * test/psi/oprf-native.test.ts); else (or with native null) the codewords of the three tweaks,
 * the rows and their hashes.
 */
export function senderValues(ext: Pick<ExtensionSender, 'delta'>, q: Uint8Array, digests: Uint8Array, cand: Uint32Array, j0: number, cnt: number, native: NativeOtKernels | null | undefined = nativeOtKernels): Uint8Array {
  const out = new Uint8Array(HASHES * cnt * OPRF_VALUE_BYTES);
  const d = digests.subarray(16 * j0, 16 * (j0 + cnt));
  if (native) {
    native.kkrtValues(FIXED_KEY, q, ext.delta, d, cand.subarray(HASHES * j0, HASHES * (j0 + cnt)), out);
    return out;
  }
  for (let i = 0; i < HASHES; i++) {
    const idx = new Uint32Array(cnt);
    for (let j = 0; j < cnt; j++) idx[j] = cand[(j0 + j) * HASHES + i]!;
    const v = rowHashTrunc(kkrtEvaluateUnhashed(ext, q, idx, codewords(tweak(d, i))));
    // Interleave by item: value of item j at h_i goes to slot j·3 + i.
    for (let j = 0; j < cnt; j++) out.set(v.subarray(j * OPRF_VALUE_BYTES, (j + 1) * OPRF_VALUE_BYTES), (j * HASHES + i) * OPRF_VALUE_BYTES);
  }
  return out;
}

function rowHashTrunc(rows: Uint8Array): Uint8Array {
  const h = rowHash(rows);
  const count = h.length / 16;
  const out = new Uint8Array(count * OPRF_VALUE_BYTES);
  for (let j = 0; j < count; j++) out.set(h.subarray(16 * j, 16 * j + OPRF_VALUE_BYTES), j * OPRF_VALUE_BYTES);
  return out;
}


async function asSender(comm: Comm, peer: string, ids: string[], options: PsiOptions): Promise<{ intersection?: string[]; size?: number }> {
  const n = ids.length;
  const theirs = await hello(comm, peer, Buffer.concat([paramsDigest(options), u32le(n)]), options, 16 + 4);
  const nR = theirs.readUInt32LE(32);
  const seed = theirs.subarray(36, 52);
  const bins = theirs.readUInt32LE(52);
  if (bins !== binCount(nR)) throw new PsiMalformedMessageError(peer, 'psi.oprf.hello', 'the bin count does not match the set size');
  const ch = channelTo(comm, peer);
  const pair = await setupOtPair(ch);
  const ext = await kkrtSenderSetup(pair);
  const { digests, cand } = digestIds(seed, ids, bins);
  const padded = Math.ceil(bins / 128) * 128;
  const q = new Uint8Array(padded * CODE_BYTES);
  for (let b0 = 0; b0 < padded; b0 += BIN_BATCH) {
    const m = Math.min(BIN_BATCH, padded - b0);
    const u = await comm.recvBytes(peer, 'psi.oprf.u', (CODE_BYTES * m));
    q.set(ext.absorb(u, m), b0 * CODE_BYTES);
  }
  for (let j0 = 0; j0 < n; j0 += ITEM_BATCH) {
    const cnt = Math.min(ITEM_BATCH, n - j0);
    comm.send(peer, 'psi.oprf.f', senderValues(ext, q, digests, cand, j0, cnt));
    options.onProgress?.(j0 + cnt, n);
  }
  if (!options.receivers.includes(comm.self)) return {};
  return recvResult(comm, peer, new Set(ids));
}

/** Open-addressing lookup of 12-byte values → bin (occupied bins only). */
class ValueTable {
  readonly #slots: Int32Array;
  readonly #mask: number;
  readonly #values: Uint8Array;
  constructor(values: Uint8Array, item: Uint32Array, bins: number) {
    let size = 1024;
    while (size < 2 * bins) size *= 2;
    this.#slots = new Int32Array(size).fill(-1);
    this.#mask = size - 1;
    this.#values = values;
    const dv = new DataView(values.buffer, values.byteOffset, values.byteLength);
    for (let b = 0; b < bins; b++) {
      if (item[b] === EMPTY) continue;
      let s = dv.getUint32(b * OPRF_VALUE_BYTES, true) & this.#mask;
      while (this.#slots[s] !== -1) s = (s + 1) & this.#mask;
      this.#slots[s] = b;
    }
  }
  find(buf: Uint8Array, off: number): number {
    const key = (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24)) >>> 0;
    let s = key & this.#mask;
    for (;;) {
      const b = this.#slots[s]!;
      if (b === -1) return -1;
      let eq = true;
      const vo = b * OPRF_VALUE_BYTES;
      for (let k = 0; k < OPRF_VALUE_BYTES; k++) if (this.#values[vo + k] !== buf[off + k]) { eq = false; break; }
      if (eq) return b;
      s = (s + 1) & this.#mask;
    }
  }
}

async function sendResult(comm: Comm, to: string, intersection: string[]): Promise<void> {
  const body = Buffer.from(JSON.stringify(intersection), 'utf8');
  comm.send(to, 'psi.result.n', u32le(body.length));
  comm.send(to, 'psi.result', body);
}

async function recvResult(comm: Comm, from: string, mine: Set<string>): Promise<{ intersection: string[]; size: number }> {
  const len = Buffer.from(await comm.recvBytes(from, 'psi.result.n', 4)).readUInt32LE(0);
  const body = await comm.recvBytes(from, 'psi.result', len);
  let ids: unknown;
  try {
    ids = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw new PsiMalformedMessageError(from, 'psi.result', 'the result is not a list of ids');
  }
  if (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string')) throw new PsiMalformedMessageError(from, 'psi.result', 'the result is not a list of ids');
  const seen = new Set<string>();
  for (const id of ids as string[]) {
    if (!mine.has(id)) throw new PsiMalformedMessageError(from, 'psi.result', 'the result names an id this party does not hold');
    if (seen.has(id)) throw new PsiMalformedMessageError(from, 'psi.result', 'the result repeats an id');
    seen.add(id);
  }
  return { intersection: sortIds([...seen]), size: seen.size };
}
