/**
 * OT extension after Ishai, Kilian, Nissim and Petrank (CRYPTO 2003, "IKNP"), in the
 * correlated form every later protocol uses, and — with width > 128 and codewords instead of
 * a single choice bit — the 1-out-of-∞ variant of Kolesnikov, Kumaresan, Rosulek and Trieu
 * (CCS 2016, "KKRT") that the OPRF of src/psi builds on.
 *
 * Set-up: `width` base OTs in the other direction (src/ot/base-ot.ts). The extension
 * *sender* picks s ∈ {0,1}^width and learns one seed k_i^{s_i} per column; the extension
 * *receiver* knows both seeds k_i^0, k_i^1. Each seed keys an AES-CTR stream (the stream of
 * src/crypto/prg, expanded by src/ot/aes-native.ts) that keeps running from batch to batch,
 * so a session's base OTs serve all its batches.
 *
 * One batch of m OTs (m a multiple of 128): the receiver has one codeword row c_j per OT
 * (IKNP: c_j = r_j·1^width, a choice bit repeated); it sends the columns
 * u_i = G(k_i^0) ⊕ G(k_i^1) ⊕ c^i and keeps the rows t_j of T = [G(k_i^0)]. The sender forms
 * q^i = G(k_i^{s_i}) ⊕ s_i·u_i, whose rows are q_j = t_j ⊕ (c_j ∧ s). For IKNP that is the
 * correlated OT q_j = t_j ⊕ r_j·Δ with Δ = s. The bit matrices are transposed by the
 * WebAssembly kernel (src/ot/kernel.ts).
 *
 * Security: semi-honest, given the base OTs and a correlation-robust hash applied to the
 * rows afterwards (src/ot/aes-hash.ts). The optional consistency check of Keller, Orsini
 * and Scholl (src/ot/kos-check.ts) catches a receiver whose columns disagree.
 */
import { randomBytes } from 'node:crypto';
import { ctrStreams } from './aes-native.js';
import { baseReceive, baseSenderFinish, baseSenderStart, POINT_BYTES } from './base-ot.js';
import { crHash } from './aes-hash.js';
import { extendReceive, extendSend } from './transfers.js';
import type { OtChannel } from './channel.js';
import { OtProtocolError } from './errors.js';
import { transpose, xorBytes, xorRows } from './kernel.js';

export const KAPPA = 128;


/** Bits of `bytes` as booleans, LSB first. */
export function bitsOf(bytes: Uint8Array, count = bytes.length * 8): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < count; i++) out.push(((bytes[i >> 3]! >> (i & 7)) & 1) === 1);
  return out;
}

function checkBatch(m: number): void {
  if (!Number.isInteger(m) || m <= 0 || m % 128) throw new RangeError(`OT batches are positive multiples of 128, got ${m}`);
}

/** 16-byte seeds side by side (the layout src/ot/aes-native.ts expands). */
function concatSeeds(seeds: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(16 * seeds.length);
  seeds.forEach((k, i) => {
    if (k.length !== 16) throw new TypeError('OT extension seeds are 16 bytes');
    out.set(k, 16 * i);
  });
  return out;
}

/** The extension sender's state: s (Δ for IKNP) and one stream per column. */
export class ExtensionSender {
  readonly width: number;
  /** s: `width` bits, packed LSB first. */
  readonly delta: Uint8Array;
  /** The column seeds side by side; every column's AES-CTR stream is resumed at #counter. */
  readonly #seeds: Uint8Array;
  #counter = 0;

  constructor(delta: Uint8Array, seeds: Uint8Array[]) {
    this.width = seeds.length;
    this.delta = delta;
    this.#seeds = concatSeeds(seeds);
  }

  /** Rows q_j (m × width/8 bytes) from the receiver's columns u (width × m/8 bytes). */
  absorb(u: Uint8Array, m: number): Uint8Array {
    checkBatch(m);
    const W = m / 8;
    if (u.length !== this.width * W) throw new OtProtocolError(`OT extension message has ${u.length} bytes, expected ${this.width * W}`);
    const cols = new Uint8Array(this.width * W);
    ctrStreams(this.#seeds, -1, this.#counter, cols, W);
    this.#counter += W / 16;
    const sel = new Uint8Array(this.width * W);
    for (let i = 0; i < this.width; i++) if ((this.delta[i >> 3]! >> (i & 7)) & 1) sel.set(u.subarray(i * W, (i + 1) * W), i * W);
    return transpose(xorBytes(cols, sel), this.width, W);
  }
}

/** The extension receiver's state: both streams of every column. */
export class ExtensionReceiver {
  readonly width: number;
  readonly #s0: Uint8Array;
  readonly #s1: Uint8Array;
  #counter = 0;

  constructor(pairs: [Uint8Array, Uint8Array][]) {
    this.width = pairs.length;
    this.#s0 = concatSeeds(pairs.map((p) => p[0]));
    this.#s1 = concatSeeds(pairs.map((p) => p[1]));
  }

  #columns(m: number): { t: Uint8Array; u: Uint8Array } {
    const W = m / 8;
    const t = new Uint8Array(this.width * W);
    const g1 = new Uint8Array(this.width * W);
    ctrStreams(this.#s0, -1, this.#counter, t, W);
    ctrStreams(this.#s1, -1, this.#counter, g1, W);
    this.#counter += W / 16;
    return { t, u: xorBytes(t, g1) };
  }

  /** IKNP: one choice bit per OT (`choices`, m/8 bytes). Returns u to send and the rows t_j. */
  prepareBits(choices: Uint8Array, m: number): { u: Uint8Array; t: Uint8Array } {
    checkBatch(m);
    if (choices.length !== m / 8) throw new RangeError(`expected ${m / 8} bytes of choice bits, got ${choices.length}`);
    const { t, u } = this.#columns(m);
    return { u: xorRows(u, choices, m / 8), t: transpose(t, this.width, m / 8) };
  }

  /** KKRT: one codeword row per OT (`rows`, m × width/8 bytes). */
  prepareRows(rows: Uint8Array, m: number): { u: Uint8Array; t: Uint8Array } {
    checkBatch(m);
    if (rows.length !== (m * this.width) / 8) throw new RangeError(`expected ${(m * this.width) / 8} bytes of codewords, got ${rows.length}`);
    const { t, u } = this.#columns(m);
    return { u: xorBytes(u, transpose(rows, m, this.width / 8)), t: transpose(t, this.width, m / 8) };
  }
}

/** Both directions of extension between this party and one peer. */
export interface OtPair {
  readonly channel: OtChannel;
  /** This party as the extension sender (the peer chooses). */
  readonly sender: ExtensionSender;
  /** This party as the extension receiver (this party chooses). */
  readonly receiver: ExtensionReceiver;
}

/**
 * Sets up extension both ways with the peer (both parties call it at the same time).
 *
 * Only one direction costs public-key work: κ = 128 Chou–Orlandi base OTs with the party
 * whose id sorts first as the base sender seed extension A (the peer is A's extension
 * sender). A's first batch is then `width` random OTs in which the first party chooses with
 * its own fresh s — exactly the base OTs the reverse direction needs (the first party learns
 * one key per column, the peer both), the bootstrapping of OT extension from extension used
 * by libOTe and MP-SPDZ. This halves the group operations of a pair.
 */
export async function setupOtPair(ch: OtChannel): Promise<OtPair> {
  const width = KAPPA;
  const first = ch.self < ch.peer;
  const delta = new Uint8Array(randomBytes(width / 8));
  if (first) {
    // Base sender for direction A; then A's receiver choosing with our s.
    const { a, A } = baseSenderStart();
    ch.send('ot.base.A', A);
    const keys = baseSenderFinish(a, A, await ch.recv('ot.base.B', width * POINT_BYTES), width);
    const receiver = new ExtensionReceiver(keys);
    const own = crHash(await extendReceive(ch, receiver, delta, width));
    const seeds = Array.from({ length: width }, (_, i) => own.slice(16 * i, 16 * i + 16));
    return { channel: ch, sender: new ExtensionSender(delta, seeds), receiver };
  }
  const { message, keys } = baseReceive(await ch.recv('ot.base.A', POINT_BYTES), bitsOf(delta, width));
  ch.send('ot.base.B', message);
  const sender = new ExtensionSender(delta, keys);
  const q = await extendSend(ch, sender, width);
  const m0 = crHash(q), m1 = crHash(xorRows(q, delta, width / 8));
  const pairs: [Uint8Array, Uint8Array][] = Array.from({ length: width }, (_, i) => [m0.slice(16 * i, 16 * i + 16), m1.slice(16 * i, 16 * i + 16)]);
  return { channel: ch, sender, receiver: new ExtensionReceiver(pairs) };
}
