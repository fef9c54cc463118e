/**
 * The carry into bit 63 of a + b on boolean shares, with a packed carry-lookahead tree.
 *
 * A sign test needs one bit of the sum, not the whole sum, so instead of a full
 * Kogge–Stone prefix (each of six levels ANDing two full 64-bit words per element) this
 * computes only the group generate of bits 0..62 by a binary tree (Brent & Kung, IEEE
 * Trans. Computers 1982): level k combines pairs of 2^(k−1)-bit groups, so the live data
 * halves every level. XOR-shares commute with any re-wiring of bit positions, so each level
 * first separates even and odd groups locally (a bit unzip), and then ONE word-wise AND
 * computes both P_hi·G_lo and P_hi·P_lo, packed side by side; lanes of 32, 16, 8 bits are
 * packed several elements per 64-bit word. Per element, the AND inputs total 200 bits
 * instead of 704 for the full prefix network: the same six rounds, ~3.5x fewer bytes and
 * PRG draws.
 *
 * The local bit shuffles between the rounds run in WebAssembly (`assembly/carry-tree.ts`,
 * which documents the layout of every level); this file moves the shares in and out and does
 * the ANDs.
 *
 * Input: shares of G = a & b and P = a ^ b (full words). Output: shares of the carry into
 * bit 63, in bit 0 of each word (0/1), ready for bit injection.
 */
import { instantiateKernel } from '../../crypto/wasm-kernel.js';
import type { Parts, Protocol } from '../protocol.js';

interface Kernel {
  heapBase(): number;
  level1(g: number, p: number, n: number, x: number, y: number, gh: number): void;
  level2(z: number, gh: number, n: number, x: number, y: number, ghOut: number): void;
  level3(z: number, gh: number, n: number, x: number, y: number, ghOut: number): void;
  levelSmall(z: number, zBytes: number, gh: number, n: number, half: number, width: number, x: number, y: number, ghOut: number): void;
  finish(z: number, gh: number, n: number, out: number): void;
}

const PAGE = 65536;
const memory = new WebAssembly.Memory({ initial: 2 });
const K = instantiateKernel<Kernel>('carry-tree', memory);
const BASE = (K.heapBase() + 63) & ~63;
const align = (b: number) => (b + 63) & ~63;
/** Bytes rounded up to whole 64-bit words (the AND works on words). */
const padded = (b: number) => Math.ceil(b / 8) * 8;

/**
 * One kernel call: `inputs` copied into WebAssembly memory, outputs of `outBytes` bytes
 * (zeroed first, so the padding that goes on the wire never carries old memory) copied out.
 * Nothing is kept in kernel memory across an await, so concurrent comparisons cannot
 * clobber each other.
 */
function call(inputs: ArrayBufferView[], outBytes: number[], kernel: (ptrs: number[]) => void): Uint8Array[] {
  const ptrs: number[] = [];
  let at = BASE;
  for (const v of inputs) {
    ptrs.push(at);
    at = align(at + v.byteLength);
  }
  const outAt = at;
  for (const b of outBytes) {
    ptrs.push(at);
    at = align(at + b);
  }
  if (at > memory.buffer.byteLength) memory.grow(Math.ceil((at - memory.buffer.byteLength) / PAGE));
  const m = new Uint8Array(memory.buffer);
  inputs.forEach((v, i) => m.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), ptrs[i]!));
  m.fill(0, outAt, at);
  kernel(ptrs);
  return outBytes.map((b, i) => m.slice(ptrs[inputs.length + i]!, ptrs[inputs.length + i]! + b));
}

const words = (b: Uint8Array) => new BigUint64Array(b.buffer, b.byteOffset, b.byteLength / 8);

export async function carryInto63(proto: Protocol, G: Parts, P: Parts, n: number): Promise<Parts> {
  // Level 1 (words shifted left by one so bit 63 drops out: the tree over all 64 positions
  // then yields the generate of bits 0..62).
  let st = G.map((_, j) => call([G[j]!, P[j]!], [8 * n, 8 * n, 4 * n], ([g, p, x, y, gh]) => K.level1(g!, p!, n, x!, y!, gh!)));
  let z = await proto.andBB(st.map((s) => words(s[0]!)), st.map((s) => words(s[1]!)), n);
  // Level 2: 32-bit AND inputs per element.
  const w2 = padded(4 * n);
  st = z.map((zj, j) => call([zj, st[j]![2]!], [w2, w2, 2 * n], ([zp, gh, x, y, go]) => K.level2(zp!, gh!, n, x!, y!, go!)));
  z = await proto.andBB(st.map((s) => words(s[0]!)), st.map((s) => words(s[1]!)), w2 / 8);
  // Level 3: 16-bit.
  const w3 = padded(2 * n);
  st = z.map((zj, j) => call([zj, st[j]![2]!], [w3, w3, n], ([zp, gh, x, y, go]) => K.level3(zp!, gh!, n, x!, y!, go!)));
  z = await proto.andBB(st.map((s) => words(s[0]!)), st.map((s) => words(s[1]!)), w3 / 8);
  // Levels 4..6: one byte per element, groups of 8, 4, 2 bits.
  const w = padded(n);
  let zBytes = 2;
  let half = 8;
  for (let width = 8; width > 1; width >>>= 1) {
    const zb = zBytes, hb = half;
    st = z.map((zj, j) => call([zj, st[j]![2]!], [w, w, n], ([zp, gh, x, y, go]) => K.levelSmall(zp!, zb, gh!, n, hb, width, x!, y!, go!)));
    z = await proto.andBB(st.map((s) => words(s[0]!)), st.map((s) => words(s[1]!)), w / 8);
    zBytes = 1;
    half = width >>> 1;
  }
  return z.map((zj, j) => words(call([zj, st[j]![2]!], [8 * n], ([zp, gh, out]) => K.finish(zp!, gh!, n, out!))[0]!));
}
