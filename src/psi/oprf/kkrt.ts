/**
 * The batched OPRF of Kolesnikov, Kumaresan, Rosulek and Trieu (CCS 2016, "KKRT"): OT
 * extension (src/ot/iknp.ts) with width w = 512 in which the receiver's row j is not a
 * repeated choice bit but a codeword C(x_j) of a pseudorandom code. The sender, holding
 * s ∈ {0,1}^w, gets q_j = t_j ⊕ (C(x_j) ∧ s) and can evaluate F_j(y) = H(q_j ⊕ (C(y) ∧ s))
 * on any y; the receiver learns exactly F_j(x_j) = H(t_j). For y ≠ x_j the codewords differ
 * in ~w/2 positions, each hidden by an unknown bit of s, so F_j(y) is pseudorandom to the
 * receiver (KKRT §4: w = 512 suffices for 2^-40 failure with a random code at 2^24+ items).
 *
 * Instantiation (fixed-key AES throughout, GKWY20):
 * - the code: C(d) = [π(d ⊕ t) ⊕ (d ⊕ t)]_{t<4} for a 16-byte digest d of the input — a
 *   random-looking 512-bit string per distinct d;
 * - the output hash H over a 64-byte row: MMO chaining h ← π(h ⊕ z_b) ⊕ (h ⊕ z_b) over the
 *   row's four blocks, truncated by the caller;
 * - the 512 base OTs: random OTs of the pair's 128-wide IKNP instance (src/ot), with the
 *   OPRF sender choosing s.
 */
import { randomBytes } from 'node:crypto';
import { crHash } from '../../ot/aes-hash.js';
import { bitsOf, ExtensionReceiver, ExtensionSender, type OtPair } from '../../ot/iknp.js';
import * as K from '../../ot/kernel.js';
import { randomOtReceive, randomOtSend } from '../../ot/transfers.js';

export const CODE_BITS = 512;
export const CODE_BYTES = CODE_BITS / 8;

/** Codewords (64 bytes each) of 16-byte digests. */
export function codewords(digests: Uint8Array): Uint8Array {
  return crHash(K.expandKeys(digests, CODE_BYTES / 16));
}

/** H over 64-byte rows: 16 bytes each. */
export function rowHash(rows: Uint8Array): Uint8Array {
  const count = rows.length / CODE_BYTES;
  let h: Uint8Array = new Uint8Array(count * 16);
  for (let b = 0; b < CODE_BYTES / 16; b++) h = crHash(K.xorRowBlock(h, rows, CODE_BYTES, b));
  return h;
}

/** The OPRF sender's key material: s and the extension streams. */
export async function kkrtSenderSetup(pair: OtPair): Promise<ExtensionSender> {
  const s = new Uint8Array(randomBytes(CODE_BYTES));
  const keys = await randomOtReceive(pair.channel, pair.receiver, s, CODE_BITS);
  return new ExtensionSender(s, Array.from({ length: CODE_BITS }, (_, i) => keys.slice(16 * i, 16 * i + 16)));
}

/** The OPRF receiver's side of the set-up: both seeds of every column. */
export async function kkrtReceiverSetup(pair: OtPair): Promise<ExtensionReceiver> {
  const { m0, m1 } = await randomOtSend(pair.channel, pair.sender, CODE_BITS);
  return new ExtensionReceiver(Array.from({ length: CODE_BITS }, (_, i) => [m0.slice(16 * i, 16 * i + 16), m1.slice(16 * i, 16 * i + 16)] as [Uint8Array, Uint8Array]));
}

/** Sender: the rows q_{bin[j]} ⊕ (C(y_j) ∧ s) whose hashes are F_{bin[j]}(y_j). */
export function kkrtEvaluateUnhashed(ext: Pick<ExtensionSender, 'delta'>, q: Uint8Array, bins: Uint32Array, codes: Uint8Array): Uint8Array {
  return K.xorAndRows(K.gatherRows(q, bins, CODE_BYTES), codes, ext.delta, CODE_BYTES);
}

/** Sender: F_{bin[j]}(y_j) (16 bytes each) for code rows `codes` (64 bytes each). */
export function kkrtEvaluate(ext: ExtensionSender, q: Uint8Array, bins: Uint32Array, codes: Uint8Array): Uint8Array {
  return rowHash(kkrtEvaluateUnhashed(ext, q, bins, codes));
}

export { bitsOf };
