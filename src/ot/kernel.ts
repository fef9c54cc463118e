/**
 * The JavaScript side of the OT kernels (`assembly/ot.ts`): transposes, XORs and the per-OT
 * arithmetic of the correlations built on OT extension. The module owns one WebAssembly
 * memory; each call copies its inputs in at the start of that memory (growing it as needed),
 * runs one kernel and copies the outputs out, so callers keep ordinary typed arrays and
 * never hold pointers. Batches are a few MB (see `src/ot/iknp.ts`), so the copies cost
 * little beside the AES and the network.
 */
import { instantiateKernel } from '../crypto/wasm-kernel.js';

interface Kernels {
  transpose(out: number, inp: number, R: number, W: number): void;
  xor(out: number, a: number, b: number, bytes: number): void;
  xorRows(out: number, inp: number, delta: number, rows: number, rowBytes: number): void;
  xorAndRows(out: number, inp: number, mask: number, delta: number, rows: number, rowBytes: number): void;
  expandKeys(out: number, keys: number, count: number, blocks: number): void;
  compact(out: number, inp: number, count: number, blocks: number, words: number): void;
  gilboaSend(d: number, out: number, h0: number, h1: number, a: number, n: number, L: number): void;
  gilboaRecv(out: number, ht: number, d: number, b: number, n: number, L: number): void;
  andSend(d: number, out: number, h0: number, h1: number, a: number, n: number): void;
  andRecv(out: number, ht: number, d: number, b: number, n: number): void;
  cotSend(d: number, s: number, h0: number, h1: number, c: number, count: number): void;
  cotRecv(v: number, ht: number, d: number, bits: number, count: number): void;
  weightedSum(out: number, x: number, w: number, n: number): void;
  unpackBits(out: number, x: number, n: number, w: number): void;
  xorRowBlock(h: number, rows: number, count: number, rowBytes: number, b: number): void;
  gatherRows(out: number, rows: number, idx: number, count: number, rowBytes: number): void;
  ssCombine(out: number, u: number, streams: number, k: number, W: number, d: number): void;
  xorSelectedColumns(q: number, corr: number, sel: number, from: number, k: number, W: number): void;
  hashLow(out: number, enc: number, rows: number, count: number): void;
  gilboaSendTri(d: number, out: number, h0: number, h1: number, a: number, n: number): void;
  gilboaRecvTri(out: number, ht: number, d: number, b: number, n: number): void;
}

const PAGE = 65536;
const memory = new WebAssembly.Memory({ initial: 16 });
const K = instantiateKernel<Kernels>('ot', memory);

type Buf = Uint8Array | BigUint64Array;
const bytesOf = (a: Buf) => (a instanceof Uint8Array ? a : new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
const align = (n: number) => (n + 15) & ~15;

/** Lays out regions of the given byte sizes from address 0 (16-aligned); grows memory. */
function layout(sizes: number[]): number[] {
  const ptrs: number[] = [];
  let off = 0;
  for (const s of sizes) {
    ptrs.push(off);
    off += align(s);
  }
  if (off > memory.buffer.byteLength) memory.grow(Math.ceil((off - memory.buffer.byteLength) / PAGE));
  return ptrs;
}
/**
 * Direct access for pipelines that keep a batch inside the kernel's memory across several
 * kernels (src/ot/softspoken.ts, src/mpc/semi2k/ot-triples.ts): `arena` lays regions out from
 * address 0 like every call here (so nothing survives the next call into this module), `at`
 * is a view of a region (valid until memory grows, i.e. until the next `arena`).
 */
export const wasm = {
  kernels: K,
  arena: layout,
  at: (ptr: number, len: number) => new Uint8Array(memory.buffer, ptr, len),
  put: (ptr: number, a: Buf) => put(ptr, a),
  take: (ptr: number, len: number) => take(ptr, len),
  takeWords: (ptr: number, n: number) => takeWords(ptr, n),
};

const put = (ptr: number, a: Buf) => new Uint8Array(memory.buffer).set(bytesOf(a), ptr);
const take = (ptr: number, len: number) => new Uint8Array(memory.buffer, ptr, len).slice();
const takeWords = (ptr: number, n: number) => new BigUint64Array(take(ptr, n * 8).buffer);

/**
 * Bit-matrix transpose: `inp` has R rows of W bytes (bit j of a row is byte j>>3, bit j&7);
 * the result has 8W rows of R/8 bytes. R and W must be multiples of 16.
 */
export function transpose(inp: Uint8Array, R: number, W: number): Uint8Array {
  if (R % 16 || W % 16 || inp.length !== R * W) throw new RangeError(`transpose: bad shape ${R}×${W} for ${inp.length} bytes`);
  const [pi, po] = layout([R * W, R * W]);
  put(pi!, inp);
  K.transpose(po!, pi!, R, W);
  return take(po!, R * W);
}

/** Every `rowBytes`-byte row of `rows` XOR `delta`. */
export function xorRows(rows: Uint8Array, delta: Uint8Array, rowBytes: number): Uint8Array {
  const count = rows.length / rowBytes;
  const [pi, pd] = layout([rows.length, rowBytes]);
  put(pi!, rows);
  put(pd!, delta);
  K.xorRows(pi!, pi!, pd!, count, rowBytes);
  return take(pi!, rows.length);
}

/** Row i of `rows` XOR (row i of `mask` AND `delta`). */
export function xorAndRows(rows: Uint8Array, mask: Uint8Array, delta: Uint8Array, rowBytes: number): Uint8Array {
  const count = rows.length / rowBytes;
  const [pi, pm, pd] = layout([rows.length, mask.length, rowBytes]);
  put(pi!, rows);
  put(pm!, mask);
  put(pd!, delta);
  K.xorAndRows(pi!, pi!, pm!, pd!, count, rowBytes);
  return take(pi!, rows.length);
}

/** a XOR b (equal lengths, a multiple of 16 bytes), into a new array. */
export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const [pa, pb] = layout([a.length, b.length]);
  put(pa!, a);
  put(pb!, b);
  K.xor(pa!, pa!, pb!, a.length);
  return take(pa!, a.length);
}

/** Key j XOR t for t < blocks: the inputs of an expanded hash. */
export function expandKeys(keys: Uint8Array, blocks: number): Uint8Array {
  const count = keys.length / 16;
  const [pk, po] = layout([keys.length, keys.length * blocks]);
  put(pk!, keys);
  K.expandKeys(po!, pk!, count, blocks);
  return take(po!, keys.length * blocks);
}

/** The first `words` u64 of each group of `blocks` 16-byte blocks. */
export function compact(hashes: Uint8Array, count: number, blocks: number, words: number): BigUint64Array {
  const [pi, po] = layout([hashes.length, count * words * 8]);
  put(pi!, hashes);
  K.compact(po!, pi!, count, blocks, words);
  return takeWords(po!, count * words);
}

/** Gilboa sender: corrections (n·64·L words) and this party's output share (n·L words). */
export function gilboaSend(h0: BigUint64Array, h1: BigUint64Array, a: BigUint64Array, n: number, L: number): { d: BigUint64Array; out: BigUint64Array } {
  const hb = n * 64 * L * 8;
  const [p0, p1, pa, pd, po] = layout([hb, hb, n * L * 8, hb, n * L * 8]);
  put(p0!, h0);
  put(p1!, h1);
  put(pa!, a);
  K.gilboaSend(pd!, po!, p0!, p1!, pa!, n, L);
  return { d: takeWords(pd!, n * 64 * L), out: takeWords(po!, n * L) };
}

export function gilboaRecv(ht: BigUint64Array, d: BigUint64Array, b: BigUint64Array, n: number, L: number): BigUint64Array {
  const hb = n * 64 * L * 8;
  const [pt, pd, pb, po] = layout([hb, hb, n * 8, n * L * 8]);
  put(pt!, ht);
  put(pd!, d);
  put(pb!, b);
  K.gilboaRecv(po!, pt!, pd!, pb!, n, L);
  return takeWords(po!, n * L);
}

export function andSend(h0: BigUint64Array, h1: BigUint64Array, a: BigUint64Array, n: number): { d: BigUint64Array; out: BigUint64Array } {
  const hb = n * 64 * 8;
  const [p0, p1, pa, pd, po] = layout([hb, hb, n * 8, n * 8, n * 8]);
  put(p0!, h0);
  put(p1!, h1);
  put(pa!, a);
  K.andSend(pd!, po!, p0!, p1!, pa!, n);
  return { d: takeWords(pd!, n), out: takeWords(po!, n) };
}

export function andRecv(ht: BigUint64Array, d: BigUint64Array, b: BigUint64Array, n: number): BigUint64Array {
  const hb = n * 64 * 8;
  const [pt, pd, pb, po] = layout([hb, n * 8, n * 8, n * 8]);
  put(pt!, ht);
  put(pd!, d);
  put(pb!, b);
  K.andRecv(po!, pt!, pd!, pb!, n);
  return takeWords(po!, n);
}

export function cotSend(h0: BigUint64Array, h1: BigUint64Array, c: BigUint64Array): { d: BigUint64Array; s: BigUint64Array } {
  const count = c.length;
  const [p0, p1, pc, pd, ps] = layout([count * 8, count * 8, count * 8, count * 8, count * 8]);
  put(p0!, h0);
  put(p1!, h1);
  put(pc!, c);
  K.cotSend(pd!, ps!, p0!, p1!, pc!, count);
  return { d: takeWords(pd!, count), s: takeWords(ps!, count) };
}

export function cotRecv(ht: BigUint64Array, d: BigUint64Array, bits: Uint8Array): BigUint64Array {
  const count = d.length;
  const [pt, pd, pb, pv] = layout([count * 8, count * 8, bits.length, count * 8]);
  put(pt!, ht);
  put(pd!, d);
  put(pb!, bits);
  K.cotRecv(pv!, pt!, pd!, pb!, count);
  return takeWords(pv!, count);
}

/** out[e] = Σ_k w[k]·x[e·64 + k] (x: 64 words per element). */
export function weightedSum(x: BigUint64Array, w: BigUint64Array, n: number): BigUint64Array {
  const [px, pw, po] = layout([n * 64 * 8, 64 * 8, n * 8]);
  put(px!, x.subarray(0, n * 64));
  put(pw!, w);
  K.weightedSum(po!, px!, pw!, n);
  return takeWords(po!, n);
}

/** The low `w` bits of each word as 0/1 words (n·w words). */
export function unpackBits(x: BigUint64Array, w: number): BigUint64Array {
  const n = x.length;
  const [px, po] = layout([n * 8, n * w * 8]);
  put(px!, x);
  K.unpackBits(po!, px!, n, w);
  return takeWords(po!, n * w);
}

/** h (count × 16 bytes) XOR block b of each row of `rows` (count × rowBytes), in a new array. */
export function xorRowBlock(h: Uint8Array, rows: Uint8Array, rowBytes: number, b: number): Uint8Array {
  const count = h.length / 16;
  const [ph, pr] = layout([h.length, rows.length]);
  put(ph!, h);
  put(pr!, rows);
  K.xorRowBlock(ph!, pr!, count, rowBytes, b);
  return take(ph!, h.length);
}

/** Rows idx[j] of `rows` (rows of rowBytes bytes), side by side. */
export function gatherRows(rows: Uint8Array, idx: Uint32Array, rowBytes: number): Uint8Array {
  const count = idx.length;
  const [pr, pi, po] = layout([rows.length, count * 4, count * rowBytes]);
  put(pr!, rows);
  new Uint32Array(memory.buffer, pi!, count).set(idx);
  K.gatherRows(po!, pr!, pi!, count, rowBytes);
  return take(po!, count * rowBytes);
}
