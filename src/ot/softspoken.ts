/**
 * SoftSpokenOT (Lawrence Roy, "SoftSpokenOT: Quieter OT Extension from Small-Field Silent
 * VOLE in the Minicrypt Model", CRYPTO 2022, §3–§5): correlated OT with the IKNP correlation
 * q_j = t_j ⊕ r_j·Δ, in which the receiver sends 128/k − 1 bits an OT (random choices) or
 * 128/k (chosen choices) instead of IKNP's 128, for 2^k/k PRG blocks an OT instead of 2.
 *
 * The 128 columns are 128/k blocks of k. Per block i the OT receiver (the small-field VOLE
 * *sender*) knows 2^k seeds s_x, x ∈ {0,1}^k; the OT sender (VOLE *receiver*) knows all of
 * them but s_{Δ_i}, where Δ_i is its k-bit part of Δ. For a batch of m OTs both expand their
 * seeds to m bits, G(s_x), and the receiver forms u^i = ⊕_x G(s_x) and v^i = Σ_x x·G(s_x),
 * the sender w^i = Σ_x (x ⊕ Δ_i)·G(s_x) — the term of the seed it lacks has coefficient 0 —
 * so that w^i = v^i ⊕ u^i·Δ_i (a VOLE over GF(2^k) with a GF(2) input, the paper's
 * "small-field VOLE", §4). The bits u^i differ per block; the receiver corrects all of them
 * to one choice vector r by sending u^i ⊕ r (and with random choices takes r = u^0 and sends
 * nothing for block 0), and the sender adds Δ_i·(u^i ⊕ r). The k-bit coordinates of v and w
 * are the 128 columns; transposed, row j gives q_j = t_j ⊕ r_j·Δ, the IKNP correlation
 * (§5, the repetition-code subspace VOLE). Everything built on IKNP (src/ot/transfers.ts,
 * the Gilboa products of src/mpc/semi2k) runs on it unchanged after a correlation-robust hash.
 *
 * The seeds are set up once per pair and direction from 128 chosen OTs of the IKNP pair
 * (src/ot/iknp.ts): per block a GGM tree of depth k (Goldreich–Goldwasser–Micali, PRG =
 * AES-CTR of the node), whose leaves are the s_x; for each level the owner offers the XORs
 * of all left and of all right children, and the sender takes the side off its path to Δ_i,
 * which lets it rebuild every leaf but s_{Δ_i} (the all-but-one "punctured PRF" of §4.1).
 *
 * The optional consistency check is the KOS check (src/ot/kos-check.ts) on the final
 * correlation — the same linear test SoftSpokenOT's malicious variant (§6) uses: a receiver
 * whose corrections disagree between blocks holds a different r per block and fails it with
 * probability about 1 − 2^-k per inconsistent block. Semi-honest security otherwise (§5).
 *
 * Memory: a batch is expanded, combined and transposed inside the WebAssembly kernel's memory
 * (src/ot/kernel.ts) with the streams written there directly (each seed's AES-CTR stream is
 * resumed at a counter shared by all seeds, src/ot/aes-native.ts); `*Into` methods leave the
 * result there for the caller's next kernels, the others copy it out. With the native shim
 * (native/ot-kernels.c) each block's streams are made and combined in one pass and the
 * receiver's message is written straight into the array that is sent.
 */
import { randomBytes } from 'node:crypto';
import { Prg } from '../crypto/prg.js';
import type { OtChannel } from './channel.js';
import { OtProtocolError } from './errors.js';
import type { OtPair } from './iknp.js';
import { ctrStreams } from './aes-native.js';
import { wasm } from './kernel.js';
import { nativeSsBlock, otKernels } from './native-kernels.js';
import { KOS_EXTRA, kosRespond, kosVerify } from './kos-check.js';
import { chosenOtReceive, chosenOtSend } from './transfers.js';

export const SS_KAPPA = 128;
/** The default k, chosen by measurement (docs/architecture.md, "Oblivious transfer"). */
export const SS_DEFAULT_K = 2;

const K = wasm.kernels;
/** The transpose runs natively when native/ot-kernels.c is built (src/ot/native-kernels.ts). */
const F = otKernels();
/** The fused native block kernel when built; `ssKernelPath('wasm')` switches it off (tests: both paths interoperate). */
let ssBlock = nativeSsBlock;
export function ssKernelPath(path?: 'native' | 'wasm'): 'native' | 'wasm' {
  if (path) ssBlock = path === 'native' ? nativeSsBlock : undefined;
  return ssBlock ? 'native' : 'wasm';
}

function checkK(k: number): void {
  if (![1, 2, 4, 8].includes(k)) throw new RangeError(`SoftSpokenOT: k must be 1, 2, 4 or 8, got ${k}`);
}
function checkBatch(m: number): void {
  if (!Number.isInteger(m) || m <= 0 || m % 128) throw new RangeError(`OT batches are positive multiples of 128, got ${m}`);
}

/** Bytes of the receiver's message for m OTs. */
export function ssMessageBytes(k: number, m: number, chosen: boolean): number {
  return ((SS_KAPPA / k - (chosen ? 0 : 1)) * m) / 8;
}

/** Children of a GGM node: the 32-byte AES-CTR stream of the node as key. */
function expand(node: Uint8Array): [Uint8Array, Uint8Array] {
  const out = new Prg(node).fill(new Uint8Array(32));
  return [out.subarray(0, 16), out.subarray(16, 32)];
}

function xor16(a: Uint8Array, b: Uint8Array): void {
  for (let i = 0; i < 16; i++) a[i]! ^= b[i]!;
}

/**
 * A GGM tree of depth k from `root`: its 2^k leaves (leaf x: the path's first choice is bit
 * k − 1 of x, its last bit 0; 0 = left) and, per level ℓ = 1..k, the XOR of its left and of
 * its right children.
 */
export function ggmTree(root: Uint8Array, k: number): { leaves: Uint8Array[]; sums: [Uint8Array, Uint8Array][] } {
  let nodes = [root];
  const sums: [Uint8Array, Uint8Array][] = [];
  for (let l = 1; l <= k; l++) {
    const next: Uint8Array[] = [];
    const s: [Uint8Array, Uint8Array] = [new Uint8Array(16), new Uint8Array(16)];
    for (const n of nodes) {
      const [a, b] = expand(n);
      next.push(a, b);
      xor16(s[0], a);
      xor16(s[1], b);
    }
    sums.push(s);
    nodes = next;
  }
  return { leaves: nodes, sums };
}

/** The leaves of a GGM tree punctured at `d`, from the off-path sums (level ℓ: the side ¬bit_{k−ℓ}(d)). */
export function ggmPunctured(offPath: Uint8Array[], k: number, d: number): (Uint8Array | undefined)[] {
  let nodes: (Uint8Array | undefined)[] = [undefined];
  for (let l = 1; l <= k; l++) {
    const next: (Uint8Array | undefined)[] = new Array(2 * nodes.length).fill(undefined);
    nodes.forEach((n, i) => {
      if (!n) return;
      const [a, b] = expand(n);
      next[2 * i] = a;
      next[2 * i + 1] = b;
    });
    const bit = (d >> (k - l)) & 1;
    const p = d >> (k - l + 1);
    const acc = offPath[l - 1]!.slice();
    for (let i = 0; i < nodes.length; i++) if (i !== p) xor16(acc, next[2 * i + 1 - bit]!);
    next[2 * p + 1 - bit] = acc;
    nodes = next;
  }
  return nodes;
}

/** Byte arrays end to end in one new array. */
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const bitOf = (b: Uint8Array, i: number) => (b[i >> 3]! >> (i & 7)) & 1;

/** Δ_i: bits i·k … i·k + k − 1 of Δ as a number (bit b of Δ_i is column i·k + b). */
function blockOf(delta: Uint8Array, i: number, k: number): number {
  let d = 0;
  for (let b = 0; b < k; b++) d |= bitOf(delta, i * k + b) << b;
  return d;
}

/** The OT sender's side (it holds Δ and every seed but one per block). */
export class SoftSpokenSender {
  readonly k: number;
  readonly blocks: number;
  readonly delta: Uint8Array;
  /** Per block the 2^k seeds side by side (zeros at Δ_i, never used). */
  readonly #seeds: Uint8Array[];
  readonly #d: number[];
  /** AES blocks of every seed's stream used so far (all streams advance together). */
  #counter = 0;

  constructor(k: number, delta: Uint8Array, seeds: (Uint8Array | undefined)[][]) {
    checkK(k);
    this.k = k;
    this.blocks = SS_KAPPA / k;
    this.delta = delta;
    this.#d = Array.from({ length: this.blocks }, (_, i) => blockOf(delta, i, k));
    this.#seeds = seeds.map((row) => {
      const out = new Uint8Array(16 << k);
      row.forEach((s, x) => s && out.set(s, 16 * x));
      return out;
    });
  }

  /**
   * Rows q_j (16 bytes each) of `m` OTs from the receiver's message, left in the kernel's
   * memory at the returned `rows` (with `extra` regions laid out after them for the caller).
   * With `columnsOnly` the 128 columns (W = m/8 bytes each) are left at `cols` untransposed,
   * for a caller that transposes and hashes in one pass (src/ot/native-kernels.ts transposeHashLow).
   */
  absorbInto(msg: Uint8Array, m: number, chosen: boolean, extra: number[] = [], columnsOnly = false): { rows: number; cols: number; extra: number[] } {
    checkBatch(m);
    const W = m / 8, k = this.k;
    const bytes = ssMessageBytes(k, m, chosen);
    if (msg.length !== bytes) throw new OtProtocolError(`SoftSpokenOT message has ${msg.length} bytes, expected ${bytes}`);
    if (ssBlock) {
      const [pRows, pCols, ...rest] = wasm.arena([16 * m, 16 * m, ...extra]);
      const cols = wasm.at(pCols!, 16 * m);
      for (let i = 0; i < this.blocks; i++) {
        const d = this.#d[i]!, c = chosen ? i : i - 1;
        ssBlock(this.#seeds[i]!, d, true, this.#counter, k, W, cols.subarray(i * k * W, (i + 1) * k * W), undefined, undefined, c >= 0 ? msg.subarray(c * W, (c + 1) * W) : undefined, d);
      }
      if (!columnsOnly) F.transpose(pRows!, pCols!, SS_KAPPA, W);
      this.#counter += W / 16;
      return { rows: pRows!, cols: pCols!, extra: rest };
    }
    const [pRows, pCols, pStreams, pMsg, pDelta, ...rest] = wasm.arena([16 * m, 16 * m, W << k, bytes, 16, ...extra]);
    wasm.put(pMsg!, msg);
    wasm.put(pDelta!, this.delta);
    for (let i = 0; i < this.blocks; i++) {
      const d = this.#d[i]!;
      ctrStreams(this.#seeds[i]!, d, this.#counter, wasm.at(pStreams!, W << k), W);
      K.ssCombine(pCols! + i * k * W, 0, pStreams!, k, W, d);
      const c = chosen ? i : i - 1;
      if (c >= 0) K.xorSelectedColumns(pCols!, pMsg! + c * W, pDelta!, i * k, k, W);
    }
    if (!columnsOnly) F.transpose(pRows!, pCols!, SS_KAPPA, W);
    this.#counter += W / 16;
    return { rows: pRows!, cols: pCols!, extra: rest };
  }

  /**
   * For a caller that expands a whole batch in one native call (src/mpc/semi2k/ot-triples.ts,
   * native/ot-kernels.c ssTriplesSend): every block's 2^k seeds side by side (block i at
   * 16·2^k·i; Δ_i's slot zero), the Δ_i, and the stream counter of this batch of m OTs, which
   * is then used up (m/128 AES blocks of every stream).
   */
  claimStreams(m: number): { keys: Uint8Array; ds: Uint8Array; counter: number } {
    checkBatch(m);
    this.#all ??= { keys: concat(this.#seeds), ds: Uint8Array.from(this.#d) };
    const counter = this.#counter;
    this.#counter += m / 128;
    return { ...this.#all, counter };
  }
  #all?: { keys: Uint8Array; ds: Uint8Array };

  absorb(msg: Uint8Array, m: number, chosen: boolean): Uint8Array {
    return wasm.take(this.absorbInto(msg, m, chosen).rows, 16 * m);
  }
}

/** The OT receiver's side (it knows all 2^k seeds of every block). */
export class SoftSpokenReceiver {
  readonly k: number;
  readonly blocks: number;
  /** Per block the 2^k seeds side by side. */
  readonly #seeds: Uint8Array[];
  #counter = 0;

  constructor(k: number, seeds: Uint8Array[][]) {
    checkK(k);
    this.k = k;
    this.blocks = SS_KAPPA / k;
    this.#seeds = seeds.map((row) => {
      const out = new Uint8Array(16 << k);
      row.forEach((s, x) => out.set(s, 16 * x));
      return out;
    });
  }

  /**
   * One batch of m OTs: with `choices` (m/8 bytes) those are the choice bits, without them
   * the choices are random and returned. The message to send is copied out; the rows t_j
   * stay in the kernel's memory at `rows` (valid until the next call into src/ot/kernel.ts);
   * with `columnsOnly`, untransposed at `cols` (as absorbInto).
   */
  prepareInto(m: number, choices?: Uint8Array, extra: number[] = [], columnsOnly = false): { message: Uint8Array; choices: Uint8Array; rows: number; cols: number; extra: number[] } {
    checkBatch(m);
    const W = m / 8, k = this.k, B = this.blocks;
    if (choices && choices.length !== W) throw new RangeError(`expected ${W} bytes of choice bits, got ${choices.length}`);
    if (ssBlock) {
      const [pRows, pCols, ...rest] = wasm.arena([16 * m, 16 * m, ...extra]);
      const cols = wasm.at(pCols!, 16 * m);
      const message = new Uint8Array(ssMessageBytes(k, m, !!choices));
      // Random choices: r = u^0 (block 0 sends nothing); chosen: every block sends u^i ⊕ r.
      const r = choices ?? new Uint8Array(W);
      for (let i = 0; i < B; i++) {
        const col = cols.subarray(i * k * W, (i + 1) * k * W);
        if (!choices && i === 0) ssBlock(this.#seeds[i]!, 0, false, this.#counter, k, W, col, r, undefined, undefined, 0);
        else {
          const at = choices ? i : i - 1;
          ssBlock(this.#seeds[i]!, 0, false, this.#counter, k, W, col, message.subarray(at * W, (at + 1) * W), r, undefined, 0);
        }
      }
      this.#counter += W / 16;
      if (!columnsOnly) F.transpose(pRows!, pCols!, SS_KAPPA, W);
      return { message, choices: r, rows: pRows!, cols: pCols!, extra: rest };
    }
    const [pRows, pCols, pStreams, pU, pR, ...rest] = wasm.arena([16 * m, 16 * m, W << k, B * W, W, ...extra]);
    for (let i = 0; i < B; i++) {
      ctrStreams(this.#seeds[i]!, -1, this.#counter, wasm.at(pStreams!, W << k), W);
      K.ssCombine(pCols! + i * k * W, pU! + i * W, pStreams!, k, W, 0);
    }
    this.#counter += W / 16;
    if (choices) wasm.put(pR!, choices);
    else wasm.at(pR!, W).set(wasm.at(pU!, W));
    for (let i = 0; i < B; i++) K.xor(pU! + i * W, pU! + i * W, pR!, W);
    const message = wasm.take(choices ? pU! : pU! + W, ssMessageBytes(k, m, !!choices));
    const r = choices ?? wasm.take(pR!, W);
    if (!columnsOnly) F.transpose(pRows!, pCols!, SS_KAPPA, W);
    return { message, choices: r, rows: pRows!, cols: pCols!, extra: rest };
  }

  /** As SoftSpokenSender.claimStreams (ssTriplesRecv): all seeds side by side and this batch's stream counter. */
  claimStreams(m: number): { keys: Uint8Array; counter: number } {
    checkBatch(m);
    this.#keys ??= concat(this.#seeds);
    const counter = this.#counter;
    this.#counter += m / 128;
    return { keys: this.#keys, counter };
  }
  #keys?: Uint8Array;

  prepare(m: number, choices?: Uint8Array): { message: Uint8Array; choices: Uint8Array; rows: Uint8Array } {
    const p = this.prepareInto(m, choices);
    return { message: p.message, choices: p.choices, rows: wasm.take(p.rows, 16 * m) };
  }
}

/** Both directions of SoftSpokenOT between this party and one peer. */
export interface SoftSpokenPair {
  readonly channel: OtChannel;
  readonly sender: SoftSpokenSender;
  readonly receiver: SoftSpokenReceiver;
}

/** The seeds' owner: GGM roots, and the level sums offered as chosen OTs (OT i·k + ℓ − 1). */
async function ownSeeds(pair: OtPair, k: number): Promise<SoftSpokenReceiver> {
  const blocks = SS_KAPPA / k;
  const x0 = new Uint8Array(16 * SS_KAPPA), x1 = new Uint8Array(16 * SS_KAPPA);
  const seeds: Uint8Array[][] = [];
  for (let i = 0; i < blocks; i++) {
    const { leaves, sums } = ggmTree(new Uint8Array(randomBytes(16)), k);
    seeds.push(leaves);
    sums.forEach(([l, r], j) => {
      x0.set(l, 16 * (i * k + j));
      x1.set(r, 16 * (i * k + j));
    });
  }
  await chosenOtSend(pair.channel, pair.sender, x0, x1, { check: true });
  return new SoftSpokenReceiver(k, seeds);
}

/** The Δ holder: chooses the side off its path at every level and rebuilds the punctured trees. */
async function puncturedSeeds(pair: OtPair, k: number): Promise<SoftSpokenSender> {
  const blocks = SS_KAPPA / k;
  const delta = new Uint8Array(randomBytes(16));
  const choices = new Uint8Array(SS_KAPPA / 8);
  for (let i = 0; i < blocks; i++) {
    const d = blockOf(delta, i, k);
    for (let l = 1; l <= k; l++) if (!((d >> (k - l)) & 1)) choices[(i * k + l - 1) >> 3]! |= 1 << ((i * k + l - 1) & 7);
  }
  const got = await chosenOtReceive(pair.channel, pair.receiver, choices, SS_KAPPA, { check: true });
  const seeds = Array.from({ length: blocks }, (_, i) =>
    ggmPunctured(Array.from({ length: k }, (_, l) => got.subarray(16 * (i * k + l), 16 * (i * k + l + 1))), k, blockOf(delta, i, k)),
  );
  return new SoftSpokenSender(k, delta, seeds);
}

/**
 * Sets up SoftSpokenOT both ways over an IKNP pair (both parties call it at the same time):
 * first the party whose id sorts first owns the seeds, then the other. Two directions one
 * after the other keep the messages of the two chosen-OT runs in one order at both ends.
 */
export async function setupSoftSpoken(pair: OtPair, k = SS_DEFAULT_K): Promise<SoftSpokenPair> {
  checkK(k);
  const first = pair.channel.self < pair.channel.peer;
  let receiver: SoftSpokenReceiver, sender: SoftSpokenSender;
  if (first) {
    receiver = await ownSeeds(pair, k);
    sender = await puncturedSeeds(pair, k);
  } else {
    sender = await puncturedSeeds(pair, k);
    receiver = await ownSeeds(pair, k);
  }
  return { channel: pair.channel, sender, receiver };
}

export interface SsExtendOptions {
  /** Run the KOS consistency check on the batch (one more round, ~2 µs an OT). */
  check?: boolean;
}

const roundUp = (m: number) => Math.max(128, Math.ceil(m / 128) * 128);

/** Receiver side of one batch: rows t_j for `m` OTs with the given choice bits (or random ones, returned). */
export async function ssExtendReceive(ch: OtChannel, rx: SoftSpokenReceiver, m: number, choices?: Uint8Array, opts: SsExtendOptions = {}): Promise<{ rows: Uint8Array; choices: Uint8Array }> {
  const padded = roundUp(m) + (opts.check ? KOS_EXTRA : 0);
  let bits: Uint8Array | undefined;
  if (choices) {
    bits = new Uint8Array(padded / 8);
    bits.set(choices.subarray(0, Math.ceil(m / 8)));
    if (m % 8) bits[m >> 3]! &= (1 << (m % 8)) - 1;
    if (opts.check) bits.set(randomBytes(KOS_EXTRA / 8), roundUp(m) / 8);
  }
  const p = rx.prepare(padded, bits);
  ch.send('ot.ss.u', p.message);
  if (opts.check) {
    const seed = await ch.recv('ot.kos.seed', 16);
    ch.send('ot.kos.answer', kosRespond(seed, p.rows, p.choices, padded));
  }
  return { rows: p.rows.subarray(0, 16 * m), choices: p.choices.subarray(0, Math.ceil(m / 8)) };
}

/** Sender side of one batch: rows q_j = t_j ⊕ r_j·Δ for `m` OTs (`chosen` as the receiver runs it). */
export async function ssExtendSend(ch: OtChannel, tx: SoftSpokenSender, m: number, chosen: boolean, opts: SsExtendOptions = {}): Promise<Uint8Array> {
  const padded = roundUp(m) + (opts.check ? KOS_EXTRA : 0);
  const q = tx.absorb(await ch.recv('ot.ss.u', ssMessageBytes(tx.k, padded, chosen)), padded, chosen);
  if (opts.check) {
    const seed = randomBytes(16);
    ch.send('ot.kos.seed', seed);
    kosVerify(seed, q, tx.delta, await ch.recv('ot.kos.answer', 32), padded, ch.peer);
  }
  return q.subarray(0, 16 * m);
}
