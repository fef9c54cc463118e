/**
 * Arithmetic on tensors over the ring Z_2^64, backed by the WebAssembly kernels in
 * `assembly/ring64.ts`.
 *
 * Tensors stay ordinary `BigUint64Array`s owned by JavaScript (garbage-collected, never
 * detached); each call streams them through a fixed scratch area in WebAssembly memory in
 * chunks of 8,192 elements, so the working set stays in L2 and the copies cost little next
 * to the arithmetic. `out` may alias an input. Nothing here allocates per element.
 */
import { instantiateKernel } from './wasm-kernel.js';
import { endianness } from 'node:os';

if (endianness() !== 'LE') throw new Error('Tacit needs a little-endian machine (ring tensors are raw u64 views)');

interface Kernels {
  add(o: number, a: number, b: number, n: number): void;
  sub(o: number, a: number, b: number, n: number): void;
  neg(o: number, a: number, n: number): void;
  mul(o: number, a: number, b: number, n: number): void;
  mulScalar(o: number, a: number, s: bigint, n: number): void;
  addScalar(o: number, a: number, s: bigint, n: number): void;
  xor(o: number, a: number, b: number, n: number): void;
  and(o: number, a: number, b: number, n: number): void;
  andScalar(o: number, a: number, s: bigint, n: number): void;
  xorScalar(o: number, a: number, s: bigint, n: number): void;
  shl(o: number, a: number, s: number, n: number): void;
  shrl(o: number, a: number, s: number, n: number): void;
  shra(o: number, a: number, s: number, n: number): void;
  rep3Mul(o: number, x0: number, x1: number, y0: number, y1: number, p0: number, p1: number, n: number): void;
  rep3And(o: number, x0: number, x1: number, y0: number, y1: number, p0: number, p1: number, n: number): void;
  beaverMul(o: number, c: number, a: number, b: number, d: number, e: number, withDE: number, n: number): void;
  beaverAnd(o: number, c: number, a: number, b: number, d: number, e: number, withDE: number, n: number): void;
  matmulAcc(C: number, A: number, B: number, m: number, k: number, n: number): void;
  truncShare(o: number, c: number, rb: number, rc: number, d: number, leader: number, n: number): void;
}

/**
 * A tensor whose every element the caller will overwrite: skips the zero fill of
 * `new BigUint64Array(n)` (allocUnsafeSlow gives an unpooled, 8-byte aligned buffer).
 */
export function uninit(n: number): BigUint64Array {
  return n === 0 ? new BigUint64Array(0) : new BigUint64Array(Buffer.allocUnsafeSlow(n * 8).buffer, 0, n);
}

const CHUNK = 8192; // elements per slot (64 KiB)
const SLOTS = 8;
const SLOT_BYTES = CHUNK * 8;
const PAGE = 65536;

const memory = new WebAssembly.Memory({ initial: (SLOTS * SLOT_BYTES) / PAGE + 1 });
const K = instantiateKernel<Kernels>('ring64', memory);

let view = new BigUint64Array(memory.buffer);
function heap(): BigUint64Array {
  if (view.buffer !== memory.buffer) view = new BigUint64Array(memory.buffer);
  return view;
}
const slotPtr = (i: number) => i * SLOT_BYTES;
const slotIdx = (i: number) => i * CHUNK;

/** Grows WebAssembly memory so that `bytes` past the scratch slots are addressable. */
function reserve(bytes: number): number {
  const base = SLOTS * SLOT_BYTES;
  const need = base + bytes;
  const have = memory.buffer.byteLength;
  if (need > have) memory.grow(Math.ceil((need - have) / PAGE));
  return base;
}

function checkLen(out: BigUint64Array, ins: BigUint64Array[]): number {
  const n = out.length;
  for (const a of ins) if (a.length !== n) throw new RangeError(`ring64: length mismatch (${a.length} vs ${n})`);
  return n;
}

/** Streams `ins` through slots 1..k, runs `f` on each chunk and copies slot 0 to `out`. */
function stream(out: BigUint64Array, ins: BigUint64Array[], f: (len: number) => void): BigUint64Array {
  const n = checkLen(out, ins);
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    const h = heap();
    for (let j = 0; j < ins.length; j++) h.set(ins[j]!.subarray(off, off + len), slotIdx(j + 1));
    f(len);
    out.set(heap().subarray(0, len), off);
  }
  return out;
}

const P = [1, 2, 3, 4, 5, 6, 7].map(slotPtr);

export function add(out: BigUint64Array, a: BigUint64Array, b: BigUint64Array): BigUint64Array {
  return stream(out, [a, b], (n) => K.add(0, P[0]!, P[1]!, n));
}
export function sub(out: BigUint64Array, a: BigUint64Array, b: BigUint64Array): BigUint64Array {
  return stream(out, [a, b], (n) => K.sub(0, P[0]!, P[1]!, n));
}
export function neg(out: BigUint64Array, a: BigUint64Array): BigUint64Array {
  return stream(out, [a], (n) => K.neg(0, P[0]!, n));
}
export function mul(out: BigUint64Array, a: BigUint64Array, b: BigUint64Array): BigUint64Array {
  return stream(out, [a, b], (n) => K.mul(0, P[0]!, P[1]!, n));
}
export function mulScalar(out: BigUint64Array, a: BigUint64Array, s: bigint): BigUint64Array {
  return stream(out, [a], (n) => K.mulScalar(0, P[0]!, s, n));
}
export function addScalar(out: BigUint64Array, a: BigUint64Array, s: bigint): BigUint64Array {
  return stream(out, [a], (n) => K.addScalar(0, P[0]!, s, n));
}
export function xor(out: BigUint64Array, a: BigUint64Array, b: BigUint64Array): BigUint64Array {
  return stream(out, [a, b], (n) => K.xor(0, P[0]!, P[1]!, n));
}
export function and(out: BigUint64Array, a: BigUint64Array, b: BigUint64Array): BigUint64Array {
  return stream(out, [a, b], (n) => K.and(0, P[0]!, P[1]!, n));
}
export function andScalar(out: BigUint64Array, a: BigUint64Array, s: bigint): BigUint64Array {
  return stream(out, [a], (n) => K.andScalar(0, P[0]!, s, n));
}
export function xorScalar(out: BigUint64Array, a: BigUint64Array, s: bigint): BigUint64Array {
  return stream(out, [a], (n) => K.xorScalar(0, P[0]!, s, n));
}
export function shl(out: BigUint64Array, a: BigUint64Array, s: number): BigUint64Array {
  return stream(out, [a], (n) => K.shl(0, P[0]!, s, n));
}
/** Logical right shift. */
export function shrl(out: BigUint64Array, a: BigUint64Array, s: number): BigUint64Array {
  return stream(out, [a], (n) => K.shrl(0, P[0]!, s, n));
}
/** Arithmetic (sign-extending) right shift. */
export function shra(out: BigUint64Array, a: BigUint64Array, s: number): BigUint64Array {
  return stream(out, [a], (n) => K.shra(0, P[0]!, s, n));
}

/**
 * The local part of a replicated product; `fillMask(p0, p1)` writes this party's two PRG
 * streams for the chunk straight into scratch (views valid until the callback returns).
 */
export function rep3Mul(
  out: BigUint64Array,
  x0: BigUint64Array,
  x1: BigUint64Array,
  y0: BigUint64Array,
  y1: BigUint64Array,
  fillMask: (p0: BigUint64Array, p1: BigUint64Array) => void,
  boolean = false,
): BigUint64Array {
  return stream(out, [x0, x1, y0, y1], (n) => {
    const h = heap();
    fillMask(h.subarray(slotIdx(5), slotIdx(5) + n), h.subarray(slotIdx(6), slotIdx(6) + n));
    (boolean ? K.rep3And : K.rep3Mul)(0, P[0]!, P[1]!, P[2]!, P[3]!, P[4]!, P[5]!, n);
  });
}

/** z = c + d·b + e·a (+ d·e when `withDE`), or the XOR/AND analogue when `boolean`. */
export function beaver(
  out: BigUint64Array,
  c: BigUint64Array,
  a: BigUint64Array,
  b: BigUint64Array,
  d: BigUint64Array,
  e: BigUint64Array,
  withDE: boolean,
  boolean = false,
): BigUint64Array {
  return stream(out, [c, a, b, d, e], (n) =>
    (boolean ? K.beaverAnd : K.beaverMul)(0, P[0]!, P[1]!, P[2]!, P[3]!, P[4]!, withDE ? 1 : 0, n),
  );
}

/** A party's share of a truncation with exact sign from the opened c (see assembly/ring64.ts). */
export function truncShare(
  out: BigUint64Array,
  c: BigUint64Array,
  rb: BigUint64Array,
  rc: BigUint64Array,
  d: number,
  leader: boolean,
): BigUint64Array {
  return stream(out, [c, rb, rc], (n) => K.truncShare(0, P[0]!, P[1]!, P[2]!, d, leader ? 1 : 0, n));
}

/** C = A (m×k) · B (k×n) over Z_2^64, row-major; `acc` adds into C instead of overwriting. */
export function matmul(
  C: BigUint64Array,
  A: BigUint64Array,
  B: BigUint64Array,
  m: number,
  k: number,
  n: number,
  acc = false,
): BigUint64Array {
  if (A.length !== m * k || B.length !== k * n || C.length !== m * n) {
    throw new RangeError(`matmul: shapes ${m}x${k} · ${k}x${n} do not match buffers ${A.length}, ${B.length}, ${C.length}`);
  }
  if (!acc) C.fill(0n);
  if (m === 0 || n === 0 || k === 0) return C;
  // B stays resident; rows of A stream through in blocks sized to ~256 KiB.
  const rows = Math.max(1, Math.floor(32768 / Math.max(k, n)));
  const bBytes = B.length * 8;
  const blockA = rows * k * 8;
  const blockC = rows * n * 8;
  const base = reserve(bBytes + blockA + blockC);
  const pB = base, pA = base + bBytes, pC = pA + blockA;
  heap().set(B, pB / 8);
  for (let r = 0; r < m; r += rows) {
    const len = Math.min(rows, m - r);
    const h = heap();
    h.set(A.subarray(r * k, (r + len) * k), pA / 8);
    h.set(C.subarray(r * n, (r + len) * n), pC / 8);
    K.matmulAcc(pC, pA, pB, len, k, n);
    C.set(heap().subarray(pC / 8, pC / 8 + len * n), r * n);
  }
  return C;
}

/** Row-major transpose of an m×n matrix of ring elements. */
export function transpose(A: BigUint64Array, m: number, n: number): BigUint64Array {
  const T = new BigUint64Array(m * n);
  if (n === 1 || m === 1) {
    T.set(A);
    return T;
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = A[i * n + j]!;
  return T;
}
