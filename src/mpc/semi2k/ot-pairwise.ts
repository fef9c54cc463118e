/**
 * Products of secrets held by two parties, from OT extension (src/ot): the building block of
 * dealer-free semi2k preprocessing. For each pair of compute parties every function runs both
 * ways at once (each party is the OT sender for its own factor and the receiver for the
 * peer's), in batches of at most BATCH_OTS OTs, each batch two messages per direction:
 * the extension message u, then the sender's corrections d.
 *
 * The OTs are SoftSpokenOT's (Roy, CRYPTO 2022; src/ot/softspoken.ts, k = 2: 8 bytes of u an
 * OT, half of IKNP's 16), the same extension as the Beaver triples (ot-triples.ts), with the
 * random-OT hashes H(t_j), H(q_j), H(q_j ⊕ Δ) of IKNP §3 taken by the native transpose-and-hash
 * kernel where it is built (ot-hashes.ts).
 *
 * - `gilboaBothWays`: Gilboa's product over Z_2^64 (CRYPTO 1999; the OLE of MASCOT, Keller,
 *   Orsini, Scholl, CCS 2016, §4, and of SPDZ2k's semi-honest core): the receiver chooses
 *   with the 64 bits of b, the sender's k-th message pair is (s_k, s_k + a·2^k) as correlated
 *   OT; Σ_k of what each side holds are additive shares of a·b. With vectors (L > 1) one
 *   bit of b multiplies a whole row of the sender's matrix (matrix triples). Scalar Beaver
 *   triples use the cheaper SoftSpokenOT + triangular version in ot-triples.ts.
 * - `andBothWays`: the same over GF(2), one OT per bit, corrections packed 64 to a word.
 * - `cotAsSender` / `cotAsReceiver`: one-way arithmetic correlated OT with a per-OT offset
 *   c_j: the sender keeps −s_j, the receiver gets s_j + r_j·c_j (bit products for daBits).
 */
import * as K from '../../ot/kernel.js';
import { ssMessageBytes, type SoftSpokenPair } from '../../ot/softspoken.js';
import * as R from '../../crypto/ring64.js';
import { cotRecvWords, cotSendWords } from '../../ot/cot-words.js';
import { offererHashes, chooserHashes } from './ot-hashes.js';

export const BATCH_OTS = 1 << 18;

const asBytes = (w: BigUint64Array) => new Uint8Array(w.buffer, w.byteOffset, w.byteLength);

/** Copies `src[from, to)` (in units of `unit` words) into a zero-padded array of `len` units. */
function slicePadded(src: BigUint64Array, from: number, to: number, len: number, unit = 1): BigUint64Array {
  const out = new BigUint64Array(len * unit);
  out.set(src.subarray(from * unit, to * unit));
  return out;
}

/** Elements per batch so that 64 OTs each (L words of hash per OT) stay near BATCH_OTS; even. */
function elementsPerBatch(L: number): number {
  const e = Math.floor(BATCH_OTS / 64 / Math.max(1, Math.ceil(L / 2)));
  return Math.max(2, e & ~1);
}

/** Bytes of the receiver's extension message for `ots` OTs with chosen bits. */
const uBytes = (pair: SoftSpokenPair, ots: number) => ssMessageBytes(pair.sender.k, ots, true);

/**
 * My additive share of a_me[e]·b_peer[e] + a_peer[e]·b_me[e] (vectors of L words times a
 * word), for `count` elements. `a` is count×L, `b` count.
 */
export async function gilboaBothWays(pair: SoftSpokenPair, a: BigUint64Array, b: BigUint64Array, count: number, L: number): Promise<BigUint64Array> {
  const ch = pair.channel;
  const out = new BigUint64Array(count * L);
  const per = elementsPerBatch(L);
  for (let e0 = 0; e0 < count; e0 += per) {
    const e1 = Math.min(count, e0 + per);
    const n = (e1 - e0 + 1) & ~1;
    const ots = 64 * n;
    const bB = slicePadded(b, e0, e1, n);
    const aB = slicePadded(a, e0, e1, n, L);
    const { message, ht } = chooserHashes(pair, asBytes(bB), ots, L);
    ch.send('pp.ot.u', message);
    const [h0, h1] = offererHashes(pair, await ch.recv('pp.ot.u', uBytes(pair, ots)), ots, L);
    const sent = K.gilboaSend(h0, h1, aB, n, L);
    ch.send('pp.ot.d', sent.d);
    const got = K.gilboaRecv(ht, await ch.recvWords('pp.ot.d', ots * L), bB, n, L);
    R.add(out.subarray(e0 * L, e1 * L), sent.out.subarray(0, (e1 - e0) * L), got.subarray(0, (e1 - e0) * L));
  }
  return out;
}

/** My XOR share of a_me & b_peer ⊕ a_peer & b_me, bitwise on `count` words. */
export async function andBothWays(pair: SoftSpokenPair, a: BigUint64Array, b: BigUint64Array, count: number): Promise<BigUint64Array> {
  const ch = pair.channel;
  const out = new BigUint64Array(count);
  const per = elementsPerBatch(1);
  for (let e0 = 0; e0 < count; e0 += per) {
    const e1 = Math.min(count, e0 + per);
    const n = (e1 - e0 + 1) & ~1;
    const ots = 64 * n;
    const bB = slicePadded(b, e0, e1, n);
    const { message, ht } = chooserHashes(pair, asBytes(bB), ots, 1);
    ch.send('pp.ot.u', message);
    const [h0, h1] = offererHashes(pair, await ch.recv('pp.ot.u', uBytes(pair, ots)), ots, 1);
    const sent = K.andSend(h0, h1, slicePadded(a, e0, e1, n), n);
    ch.send('pp.ot.d', sent.d);
    const got = K.andRecv(ht, await ch.recvWords('pp.ot.d', n), bB, n);
    R.xor(out.subarray(e0, e1), sent.out.subarray(0, e1 - e0), got.subarray(0, e1 - e0));
  }
  return out;
}

const roundOts = (m: number) => Math.max(128, Math.ceil(m / 128) * 128);

/** The chooser's batch starting at j0 of `count`: its choice bits and H(t_j), its message sent. */
function chooserBatch(pair: SoftSpokenPair, choices: Uint8Array, count: number, j0: number) {
  const j1 = Math.min(count, j0 + BATCH_OTS);
  const ots = roundOts(j1 - j0);
  const bits = new Uint8Array(ots / 8);
  bits.set(choices.subarray(j0 / 8, Math.ceil(j1 / 8)));
  if ((j1 - j0) % 8) bits[(j1 - j0) >> 3]! &= (1 << ((j1 - j0) % 8)) - 1;
  const { message, ht } = chooserHashes(pair, bits, ots, 1);
  pair.channel.send('pp.cot.u', message);
  return { j0, j1, ots, bits, ht };
}

/** The offerer's answer to the chooser's next batch (offsets c[j0, j1)): its −s_j into out. */
async function offererBatch(pair: SoftSpokenPair, c: BigUint64Array, out: BigUint64Array, j0: number): Promise<void> {
  const j1 = Math.min(c.length, j0 + BATCH_OTS);
  const ots = roundOts(j1 - j0);
  const [h0, h1] = offererHashes(pair, await pair.channel.recv('pp.cot.u', uBytes(pair, ots)), ots, 1);
  // The chooser reads d only up to its own count; the padding's words stay zero.
  const d = new BigUint64Array(ots);
  cotSendWords(h0, h1, c.subarray(j0, j1), d, out.subarray(j0, j1));
  pair.channel.send('pp.cot.d', d);
}

/** One-way correlated OT, sender side: offsets c (one word per OT); returns −s per OT. */
export async function cotAsSender(pair: SoftSpokenPair, c: BigUint64Array): Promise<BigUint64Array> {
  const out = new BigUint64Array(c.length);
  for (let j0 = 0; j0 < c.length; j0 += BATCH_OTS) await offererBatch(pair, c, out, j0);
  return out;
}

/**
 * One-way correlated OT, receiver side with packed choice bits: s_j + r_j·c_j per OT. The
 * message of batch i + 1 goes out before batch i's corrections are awaited, so the sender
 * answers one batch while this side prepares the next.
 */
export async function cotAsReceiver(pair: SoftSpokenPair, choices: Uint8Array, count: number): Promise<BigUint64Array> {
  return (await cotBothWays(pair, choices, count, new BigUint64Array(0))).chosen;
}

/**
 * Correlated OT both ways at once with one peer, which calls it with the counts swapped:
 * this party chooses `count` OTs with `choices` (getting s_j + r_j·c_j) and offers the words
 * of `offsets` to the peer's choices (keeping −s_j). Per round i each party answers the peer's
 * batch i, sends its own batch i + 1 and then finishes its batch i, so both sides' streams
 * carry u_0, d_0, u_1, d_1, … in the order the other side asks for them, and each side
 * computes while the other does. `chosen` and `offered` may be given (count and offsets.length words) to be written in place.
 */
export async function cotBothWays(
  pair: SoftSpokenPair,
  choices: Uint8Array,
  count: number,
  offsets: BigUint64Array,
  chosen: BigUint64Array = new BigUint64Array(count),
  offered: BigUint64Array = new BigUint64Array(offsets.length),
): Promise<{ chosen: BigUint64Array; offered: BigUint64Array }> {
  const mine = Math.ceil(count / BATCH_OTS), theirs = Math.ceil(offsets.length / BATCH_OTS);
  let next = mine > 0 ? chooserBatch(pair, choices, count, 0) : undefined;
  for (let i = 0; i < Math.max(mine, theirs); i++) {
    if (i < theirs) await offererBatch(pair, offsets, offered, i * BATCH_OTS);
    const cur = next;
    next = i + 1 < mine ? chooserBatch(pair, choices, count, (i + 1) * BATCH_OTS) : undefined;
    // Asked for only now: the peer's d_i comes after its u_i, which the offerer step took.
    if (cur) cotRecvWords(cur.ht, await pair.channel.recvWords('pp.cot.d', cur.ots), cur.bits, chosen.subarray(cur.j0, cur.j1));
  }
  return { chosen, offered };
}
