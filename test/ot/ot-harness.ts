// The harness every OT test shares: bit and row access to packed OT matrices, the checks
// against the definitions (a bit transpose against the naive one, the extension correlation
// q_j = t_j ⊕ r_j·Δ, "unrelated" as a XOR balance near 1/2), OT and SoftSpokenOT pairs over
// an in-memory network, a receiver that cheats the KOS check, and the two-process runner for
// the programs in fixtures/ot-program.ts (real processes over loopback TLS).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Comm } from '../../src/mpc/comm.js';
import { channelTo, KOS_EXTRA, setupOtPair, type OtChannel, type OtPair } from '../../src/ot/index.js';
import { kosRespond } from '../../src/ot/kos-check.js';
import { setupSoftSpoken, type SoftSpokenPair } from '../../src/ot/softspoken.js';
import { runLocalSession } from '../../src/node/local/cluster.js';
import { memoryNetworks } from '../support/memory-net.js';

/** Bit j of a packed bit string (least significant bit first). */
export const bit = (b: Uint8Array, j: number) => (b[j >> 3]! >> (j & 7)) & 1;
/** Row j (16 bytes) of a matrix of 128-bit rows, as a copy. */
export const row = (b: Uint8Array, j: number) => Buffer.from(b.subarray(16 * j, 16 * j + 16));

/** Asserts that `out` is the bit transpose of the R × 8W bit matrix `inp` (8W rows of R bits). */
export function assertTransposed(out: Uint8Array, inp: Uint8Array, R: number, W: number): void {
  for (let j = 0; j < 8 * W; j++) for (let i = 0; i < R; i++) {
    assert.equal(bit(out.subarray(j * (R / 8)), i), bit(inp.subarray(i * W), j), `bit (${j}, ${i}) of ${R}×${W}`);
  }
}

/**
 * Asserts q_j = t_j ⊕ r_j·Δ for rows 0, step, 2·step … below m. Δ is one 16-byte value, or
 * 16 bytes per row (a correlated OT's per-row offsets).
 */
export function assertCorrelation(t: Uint8Array, q: Uint8Array, r: Uint8Array, delta: Uint8Array, m: number, what: string, step = 1): void {
  for (let j = 0; j < m; j += step) {
    const expect = row(t, j);
    const d = delta.length === 16 ? delta : delta.subarray(16 * j, 16 * j + 16);
    if (bit(r, j)) for (let i = 0; i < 16; i++) expect[i]! ^= d[i]!;
    assert.deepEqual(row(q, j), expect, `${what}: row ${j}`);
  }
}

/** Fraction of set bits in a XOR b: ~0.5 when unrelated. */
export function xorBalance(a: Uint8Array, b: Uint8Array): number {
  let ones = 0;
  for (let i = 0; i < a.length; i++) {
    let x = a[i]! ^ b[i]!;
    while (x) { ones += x & 1; x >>= 1; }
  }
  return ones / (a.length * 8);
}

/** Parties a and b with base OTs done both ways, over an in-memory network. */
export async function otPairs(): Promise<[OtPair, OtPair]> {
  const nets = memoryNetworks(['a', 'b']);
  const ca = channelTo(new Comm(nets.get('a')!), 'b'), cb = channelTo(new Comm(nets.get('b')!), 'a');
  return Promise.all([setupOtPair(ca), setupOtPair(cb)]);
}

/** SoftSpokenOT with parameter k between a and b, on fresh OT pairs. */
export async function softSpokenPairs(k: number): Promise<[SoftSpokenPair, SoftSpokenPair]> {
  const [pa, pb] = await otPairs();
  return Promise.all([setupSoftSpoken(pa, k), setupSoftSpoken(pb, k)]);
}

/** The m choice bits c padded with KOS_EXTRA random ones, as the KOS check extends them. */
export function kosPaddedChoices(c: Uint8Array, m: number): { bits: Uint8Array; padded: number } {
  const padded = m + KOS_EXTRA;
  const bits = new Uint8Array(padded / 8);
  bits.set(c);
  bits.set(randomBytes(KOS_EXTRA / 8), m / 8);
  return { bits, padded };
}

/**
 * A receiver that sends a tampered extension message under `step`, then answers the KOS
 * check as an honest receiver with `rows` and `bits` would.
 */
export async function cheatingReceiver(channel: OtChannel, step: string, message: Uint8Array, rows: Uint8Array, bits: Uint8Array, padded: number): Promise<void> {
  channel.send(step, message);
  const seed = await channel.recv('ot.kos.seed', 16);
  channel.send('ot.kos.answer', kosRespond(seed, rows, bits, padded));
}

/** Runs a program of fixtures/ot-program.ts between parties "s" and "r", each an OS process. */
export function runOtProgram(program: 'ot-check' | 'ss-check'): ReturnType<typeof runLocalSession> {
  return runLocalSession({
    program,
    params: {},
    parties: [{ id: 's', roles: ['compute'] }, { id: 'r', roles: ['compute'] }],
    programModule: fileURLToPath(new URL('./fixtures/ot-program.js', import.meta.url)),
  });
}
