/**
 * The three kinds of OT a protocol asks for, built on one IKNP batch (src/ot/iknp.ts) and
 * the correlation-robust hash H (src/ot/aes-hash.ts). With q_j = t_j ⊕ r_j·Δ:
 * - random OT: the sender gets m0_j = H(q_j), m1_j = H(q_j ⊕ Δ); the receiver gets
 *   m_{r_j} = H(t_j) (Ishai, Kilian, Nissim, Petrank 2003, §3);
 * - chosen OT: the sender also sends y_b = x_b ⊕ m_b, and the receiver unmasks y_{r_j};
 * - correlated OT: the sender chooses a per-OT offset δ_j and sends y = m0 ⊕ m1 ⊕ δ; its
 *   messages are (m0, m0 ⊕ δ) and the receiver gets m0 ⊕ r_j·δ (Asharov, Lindell, Schneider,
 *   Zohner, CCS 2013, §5.4).
 * Messages are 16 bytes per OT. Each function is one side of a two-party call; the other side
 * runs its counterpart at the same time over the same channel. With `check`, the batch is
 * extended by KOS_EXTRA random OTs and the KOS consistency check (src/ot/kos-check.ts) runs
 * before anything is derived.
 */
import { randomBytes } from 'node:crypto';
import { crHash } from './aes-hash.js';
import type { ExtensionReceiver, ExtensionSender } from './iknp.js';
import type { OtChannel } from './channel.js';
import { KOS_EXTRA, kosRespond, kosVerify } from './kos-check.js';
import { xorBytes, xorRows } from './kernel.js';

export interface ExtendOptions {
  /** Run the KOS consistency check (costs one more round and ~2 µs an OT in JavaScript). */
  check?: boolean;
}

const roundUp = (m: number) => Math.ceil(m / 128) * 128;

/** Receiver side of one extension batch: returns the rows t_j (16 bytes each) for `m` OTs. */
export async function extendReceive(ch: OtChannel, ext: ExtensionReceiver, choices: Uint8Array, m: number, opts: ExtendOptions = {}): Promise<Uint8Array> {
  const padded = roundUp(m) + (opts.check ? KOS_EXTRA : 0);
  const bits = new Uint8Array(padded / 8);
  bits.set(choices.subarray(0, Math.ceil(m / 8)));
  if (m % 8) bits[m >> 3]! &= (1 << (m % 8)) - 1;
  if (opts.check) bits.set(randomBytes(KOS_EXTRA / 8), roundUp(m) / 8);
  const { u, t } = ext.prepareBits(bits, padded);
  ch.send('ot.ext.u', u);
  if (opts.check) {
    const seed = await ch.recv('ot.kos.seed', 16);
    ch.send('ot.kos.answer', kosRespond(seed, t, bits, padded));
  }
  return t.subarray(0, m * 16);
}

/** Sender side of one extension batch: the rows q_j for `m` OTs. */
export async function extendSend(ch: OtChannel, ext: ExtensionSender, m: number, opts: ExtendOptions = {}): Promise<Uint8Array> {
  const padded = roundUp(m) + (opts.check ? KOS_EXTRA : 0);
  const u = await ch.recv('ot.ext.u', (ext.width * padded) / 8);
  const q = ext.absorb(u, padded);
  if (opts.check) {
    const seed = randomBytes(16);
    ch.send('ot.kos.seed', seed);
    kosVerify(seed, q, ext.delta, await ch.recv('ot.kos.answer', 32), padded, ch.peer);
  }
  return q.subarray(0, m * 16);
}

/** Random OT, sender: two 16-byte messages per OT. */
export async function randomOtSend(ch: OtChannel, ext: ExtensionSender, m: number, opts?: ExtendOptions): Promise<{ m0: Uint8Array; m1: Uint8Array }> {
  const q = await extendSend(ch, ext, m, opts);
  return { m0: crHash(q), m1: crHash(xorRows(q, ext.delta, 16)) };
}

/** Random OT, receiver: the message of each choice. */
export async function randomOtReceive(ch: OtChannel, ext: ExtensionReceiver, choices: Uint8Array, m: number, opts?: ExtendOptions): Promise<Uint8Array> {
  return crHash(await extendReceive(ch, ext, choices, m, opts));
}

/** Chosen OT, sender: transfers x0_j or x1_j (16 bytes each). */
export async function chosenOtSend(ch: OtChannel, ext: ExtensionSender, x0: Uint8Array, x1: Uint8Array, opts?: ExtendOptions): Promise<void> {
  const m = x0.length / 16;
  if (x1.length !== x0.length || !Number.isInteger(m)) throw new RangeError('chosenOtSend: two arrays of 16-byte messages of the same length');
  const { m0, m1 } = await randomOtSend(ch, ext, m, opts);
  const y = new Uint8Array(32 * m);
  y.set(xorBytes(x0, m0), 0);
  y.set(xorBytes(x1, m1), 16 * m);
  ch.send('ot.chosen.y', y);
}

/** Chosen OT, receiver: x_{c_j} for each choice bit c_j. */
export async function chosenOtReceive(ch: OtChannel, ext: ExtensionReceiver, choices: Uint8Array, m: number, opts?: ExtendOptions): Promise<Uint8Array> {
  const mr = await randomOtReceive(ch, ext, choices, m, opts);
  const y = await ch.recv('ot.chosen.y', 32 * m);
  const pick = new Uint8Array(16 * m);
  for (let j = 0; j < m; j++) {
    const off = (choices[j >> 3]! >> (j & 7)) & 1 ? 16 * m : 0;
    pick.set(y.subarray(off + 16 * j, off + 16 * j + 16), 16 * j);
  }
  return xorBytes(pick, mr);
}

/** Correlated OT, sender with offsets δ_j: returns its zero-messages m0 (the others are m0 ⊕ δ). */
export async function correlatedOtSend(ch: OtChannel, ext: ExtensionSender, delta: Uint8Array, opts?: ExtendOptions): Promise<Uint8Array> {
  const m = delta.length / 16;
  const { m0, m1 } = await randomOtSend(ch, ext, m, opts);
  ch.send('ot.cot.y', xorBytes(xorBytes(m0, m1), delta));
  return m0;
}

/** Correlated OT, receiver: m0_j ⊕ c_j·δ_j. */
export async function correlatedOtReceive(ch: OtChannel, ext: ExtensionReceiver, choices: Uint8Array, m: number, opts?: ExtendOptions): Promise<Uint8Array> {
  const mr = await randomOtReceive(ch, ext, choices, m, opts);
  const y = await ch.recv('ot.cot.y', 16 * m);
  const sel = new Uint8Array(16 * m);
  for (let j = 0; j < m; j++) if ((choices[j >> 3]! >> (j & 7)) & 1) sel.set(y.subarray(16 * j, 16 * j + 16), 16 * j);
  return xorBytes(mr, sel);
}
