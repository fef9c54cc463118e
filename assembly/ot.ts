// Oblivious-transfer kernels (src/ot/kernel.ts), compiled to WebAssembly with SIMD.
//
// OT extension (Ishai, Kilian, Nissim, Petrank, CRYPTO 2003) works on a bit matrix with one
// column per base OT and one row per extended OT: the parties expand the base seeds column by
// column (AES-CTR, fast in OpenSSL) but hash and use it row by row, so every batch is
// transposed once at each party. `transpose` does it with the SSE "movemask" method
// (i8x16.bitmask): sixteen rows' bytes are gathered into one vector and each shift-and-bitmask
// emits sixteen output bits at once. The remaining kernels are the per-OT arithmetic of the
// correlations built on top (Gilboa 1999 products over Z_2^64, bit products, per-OT
// arithmetic COT): loops of 64-bit adds and masks that cost ~20x more as BigInt in JavaScript.
//
// Layout conventions: a "block" is the 16-byte hash output of one OT; kernels read its low
// 8 bytes as a u64 (`compact` moves those words side by side first where a kernel wants words).

// @ts-ignore: decorator
@inline function lo8(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}
// @ts-ignore: decorator
@inline function hi8(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
}

/** Eight output rows (bits 7..0 of the 16 gathered bytes in v) at o, o+step, … */
// @ts-ignore: decorator
@inline function emit(o: usize, step: usize, v: v128): void {
  store<u16>(o + 7 * step, <u16>i8x16.bitmask(v)); v = i8x16.shl(v, 1);
  store<u16>(o + 6 * step, <u16>i8x16.bitmask(v)); v = i8x16.shl(v, 1);
  store<u16>(o + 5 * step, <u16>i8x16.bitmask(v)); v = i8x16.shl(v, 1);
  store<u16>(o + 4 * step, <u16>i8x16.bitmask(v)); v = i8x16.shl(v, 1);
  store<u16>(o + 3 * step, <u16>i8x16.bitmask(v)); v = i8x16.shl(v, 1);
  store<u16>(o + 2 * step, <u16>i8x16.bitmask(v)); v = i8x16.shl(v, 1);
  store<u16>(o + 1 * step, <u16>i8x16.bitmask(v)); v = i8x16.shl(v, 1);
  store<u16>(o, <u16>i8x16.bitmask(v));
}

/**
 * out (8W rows × R/8 bytes) = transpose of in (R rows × W bytes); R, W multiples of 16.
 * Per 16×16-byte block: four rounds of byte interleaving (zip of vector i with i + 8)
 * transpose the bytes, so vector c holds byte c of the sixteen rows; then eight
 * shift-and-bitmask steps per vector emit its eight output rows.
 */
export function transpose(out: usize, inp: usize, R: i32, W: i32): void {
  const outRow = <usize>(R >> 3);
  const w = <usize>W;
  for (let ib = 0; ib < R; ib += 16) {
    const rowBase = inp + <usize>ib * w;
    for (let cb = 0; cb < W; cb += 16) {
      let p = rowBase + <usize>cb;
      let a0 = v128.load(p); p += w; let a1 = v128.load(p); p += w;
      let a2 = v128.load(p); p += w; let a3 = v128.load(p); p += w;
      let a4 = v128.load(p); p += w; let a5 = v128.load(p); p += w;
      let a6 = v128.load(p); p += w; let a7 = v128.load(p); p += w;
      let a8 = v128.load(p); p += w; let a9 = v128.load(p); p += w;
      let a10 = v128.load(p); p += w; let a11 = v128.load(p); p += w;
      let a12 = v128.load(p); p += w; let a13 = v128.load(p); p += w;
      let a14 = v128.load(p); p += w; let a15 = v128.load(p);
      for (let round = 0; round < 4; round++) {
        const b0 = lo8(a0, a8), b1 = hi8(a0, a8), b2 = lo8(a1, a9), b3 = hi8(a1, a9);
        const b4 = lo8(a2, a10), b5 = hi8(a2, a10), b6 = lo8(a3, a11), b7 = hi8(a3, a11);
        const b8 = lo8(a4, a12), b9 = hi8(a4, a12), b10 = lo8(a5, a13), b11 = hi8(a5, a13);
        const b12 = lo8(a6, a14), b13 = hi8(a6, a14), b14 = lo8(a7, a15), b15 = hi8(a7, a15);
        a0 = b0; a1 = b1; a2 = b2; a3 = b3; a4 = b4; a5 = b5; a6 = b6; a7 = b7;
        a8 = b8; a9 = b9; a10 = b10; a11 = b11; a12 = b12; a13 = b13; a14 = b14; a15 = b15;
      }
      const o = out + (<usize>(cb << 3)) * outRow + <usize>(ib >> 3);
      const s8 = outRow << 3;
      emit(o, outRow, a0); emit(o + s8, outRow, a1); emit(o + 2 * s8, outRow, a2); emit(o + 3 * s8, outRow, a3);
      emit(o + 4 * s8, outRow, a4); emit(o + 5 * s8, outRow, a5); emit(o + 6 * s8, outRow, a6); emit(o + 7 * s8, outRow, a7);
      emit(o + 8 * s8, outRow, a8); emit(o + 9 * s8, outRow, a9); emit(o + 10 * s8, outRow, a10); emit(o + 11 * s8, outRow, a11);
      emit(o + 12 * s8, outRow, a12); emit(o + 13 * s8, outRow, a13); emit(o + 14 * s8, outRow, a14); emit(o + 15 * s8, outRow, a15);
    }
  }
}

/** out = a XOR b over `bytes` bytes (a multiple of 16). */
export function xor(out: usize, a: usize, b: usize, bytes: i32): void {
  for (let o: usize = 0; o < <usize>bytes; o += 16) v128.store(out + o, v128.xor(v128.load(a + o), v128.load(b + o)));
}

/** out row i = in row i XOR (delta AND mask row i), rows of `rowBytes` (a multiple of 16). */
export function xorAndRows(out: usize, inp: usize, mask: usize, delta: usize, rows: i32, rowBytes: i32): void {
  for (let i = 0; i < rows; i++) {
    const o = <usize>i * <usize>rowBytes;
    for (let k: usize = 0; k < <usize>rowBytes; k += 16) {
      v128.store(out + o + k, v128.xor(v128.load(inp + o + k), v128.and(v128.load(mask + o + k), v128.load(delta + k))));
    }
  }
}

/** out row i = in row i XOR delta, rows of `rowBytes` bytes (a multiple of 16). */
export function xorRows(out: usize, inp: usize, delta: usize, rows: i32, rowBytes: i32): void {
  for (let i = 0; i < rows; i++) {
    const o = <usize>i * <usize>rowBytes;
    for (let k: usize = 0; k < <usize>rowBytes; k += 16) v128.store(out + o + k, v128.xor(v128.load(inp + o + k), v128.load(delta + k)));
  }
}

/**
 * Hash inputs for `count` keys (16-byte rows) expanded to `blocks` blocks each: block t of key
 * j is key j XOR t (in its first 4 bytes), so one AES-ECB call hashes them all.
 */
export function expandKeys(out: usize, keys: usize, count: i32, blocks: i32): void {
  let o = out;
  for (let j = 0; j < count; j++) {
    const k = v128.load(keys + (<usize>j << 4));
    for (let t = 0; t < blocks; t++) {
      v128.store(o, v128.xor(k, i32x4(t, 0, 0, 0)));
      o += 16;
    }
  }
}

/** From `count` groups of `blocks` 16-byte blocks, the first `words` u64 of each group, packed. */
export function compact(out: usize, inp: usize, count: i32, blocks: i32, words: i32): void {
  const stride = <usize>blocks << 4;
  if (words == 1) {
    for (let j = 0; j < count; j++) store<u64>(out + (<usize>j << 3), load<u64>(inp + <usize>j * stride));
    return;
  }
  for (let j = 0; j < count; j++) {
    const o = out + (<usize>j * <usize>words << 3), i = inp + <usize>j * stride;
    for (let k = 0; k < words; k++) store<u64>(o + (<usize>k << 3), load<u64>(i + (<usize>k << 3)));
  }
}

/**
 * Gilboa product, sender side, with vectors: OT (e, k, ·) of element e and bit k carries
 * a[e]·2^k (a vector of L words). h0/h1 hold L words per OT for the hashes of q and q⊕Δ.
 * d[(e,k,l)] = h0 − h1 + a[e,l]·2^k (a receiver with bit 1 holds h1, so h1 + d = h0 + a·2^k);
 * out[e,l] = −Σ_k h0.
 */
export function gilboaSend(d: usize, out: usize, h0: usize, h1: usize, a: usize, n: i32, L: i32): void {
  for (let e = 0; e < n; e++) {
    const ae = a + (<usize>(e * L) << 3);
    const oe = out + (<usize>(e * L) << 3);
    for (let l = 0; l < L; l++) store<u64>(oe + (<usize>l << 3), 0);
    for (let k = 0; k < 64; k++) {
      const j = (<usize>((e * 64 + k) * L)) << 3;
      for (let l = 0; l < L; l++) {
        const lo = <usize>l << 3;
        const s = load<u64>(h0 + j + lo);
        store<u64>(d + j + lo, s - load<u64>(h1 + j + lo) + (load<u64>(ae + lo) << <u64>k));
        store<u64>(oe + lo, load<u64>(oe + lo) - s);
      }
    }
  }
}

/** Gilboa product, receiver side: out[e,l] = Σ_k ht + bit_k(b[e])·d. */
export function gilboaRecv(out: usize, ht: usize, d: usize, b: usize, n: i32, L: i32): void {
  for (let e = 0; e < n; e++) {
    const be = load<u64>(b + (<usize>e << 3));
    const oe = out + (<usize>(e * L) << 3);
    for (let l = 0; l < L; l++) store<u64>(oe + (<usize>l << 3), 0);
    for (let k = 0; k < 64; k++) {
      const j = (<usize>((e * 64 + k) * L)) << 3;
      const m: u64 = 0 - ((be >> <u64>k) & 1);
      for (let l = 0; l < L; l++) {
        const lo = <usize>l << 3;
        store<u64>(oe + lo, load<u64>(oe + lo) + load<u64>(ht + j + lo) + (load<u64>(d + j + lo) & m));
      }
    }
  }
}

/**
 * Bit products of 64-bit words, sender side (hash words packed, one per OT): bit k of
 * d[e] = lsb(h1) ⊕ lsb(h0) ⊕ bit k of a[e]; bit k of out[e] = lsb(h0).
 */
export function andSend(d: usize, out: usize, h0: usize, h1: usize, a: usize, n: i32): void {
  for (let e = 0; e < n; e++) {
    let s: u64 = 0, t: u64 = 0;
    const j = <usize>(e * 64) << 3;
    for (let k = 0; k < 64; k++) {
      s |= (load<u64>(h0 + j + (<usize>k << 3)) & 1) << <u64>k;
      t |= (load<u64>(h1 + j + (<usize>k << 3)) & 1) << <u64>k;
    }
    store<u64>(d + (<usize>e << 3), s ^ t ^ load<u64>(a + (<usize>e << 3)));
    store<u64>(out + (<usize>e << 3), s);
  }
}

/** Bit products, receiver side: bit k of out[e] = lsb(ht) ⊕ (bit k of b[e] ∧ bit k of d[e]). */
export function andRecv(out: usize, ht: usize, d: usize, b: usize, n: i32): void {
  for (let e = 0; e < n; e++) {
    let s: u64 = 0;
    const j = <usize>(e * 64) << 3;
    for (let k = 0; k < 64; k++) s |= (load<u64>(ht + j + (<usize>k << 3)) & 1) << <u64>k;
    store<u64>(out + (<usize>e << 3), s ^ (load<u64>(b + (<usize>e << 3)) & load<u64>(d + (<usize>e << 3))));
  }
}

/** Arithmetic correlated OT, sender: d = h0 − h1 + c, s = −h0 (one word per OT). */
export function cotSend(d: usize, s: usize, h0: usize, h1: usize, c: usize, count: i32): void {
  for (let j = 0; j < count; j++) {
    const o = <usize>j << 3;
    const x = load<u64>(h0 + o);
    store<u64>(d + o, x - load<u64>(h1 + o) + load<u64>(c + o));
    store<u64>(s + o, 0 - x);
  }
}

/** Arithmetic correlated OT, receiver: v = ht + bit_j·d (bits packed, LSB first). */
export function cotRecv(v: usize, ht: usize, d: usize, bits: usize, count: i32): void {
  for (let j = 0; j < count; j++) {
    const o = <usize>j << 3;
    const m: u64 = 0 - <u64>((load<u8>(bits + (<usize>j >> 3)) >> <u8>(j & 7)) & 1);
    store<u64>(v + o, load<u64>(ht + o) + (load<u64>(d + o) & m));
  }
}

/** out[e] = Σ_k w[k]·x[e·64 + k]: weighted sums of 64 arithmetic bit shares per element. */
export function weightedSum(out: usize, x: usize, w: usize, n: i32): void {
  for (let e = 0; e < n; e++) {
    let acc: u64 = 0;
    const xe = x + (<usize>(e * 64) << 3);
    for (let k = 0; k < 64; k++) acc += load<u64>(w + (<usize>k << 3)) * load<u64>(xe + (<usize>k << 3));
    store<u64>(out + (<usize>e << 3), acc);
  }
}

/** The bits of words as 0/1 words: out[e·w + k] = bit k of x[e], k < w. */
export function unpackBits(out: usize, x: usize, n: i32, w: i32): void {
  for (let e = 0; e < n; e++) {
    const v = load<u64>(x + (<usize>e << 3));
    for (let k = 0; k < w; k++) store<u64>(out + (<usize>(e * w + k) << 3), (v >> <u64>k) & 1);
  }
}

/** h[j] ^= block `b` of row j (rows of `rowBytes` bytes), for `count` rows: one MMO-chain input. */
export function xorRowBlock(h: usize, rows: usize, count: i32, rowBytes: i32, b: i32): void {
  for (let j = 0; j < count; j++) {
    const o = h + (<usize>j << 4);
    v128.store(o, v128.xor(v128.load(o), v128.load(rows + <usize>j * <usize>rowBytes + (<usize>b << 4))));
  }
}

/** out row j = rows row idx[j] (rows of `rowBytes` bytes, a multiple of 16). */
export function gatherRows(out: usize, rows: usize, idx: usize, count: i32, rowBytes: i32): void {
  for (let j = 0; j < count; j++) {
    const src = rows + <usize>load<u32>(idx + (<usize>j << 2)) * <usize>rowBytes;
    const dst = out + <usize>j * <usize>rowBytes;
    for (let k: usize = 0; k < <usize>rowBytes; k += 16) v128.store(dst + k, v128.load(src + k));
  }
}

// ---------------------------------------------------------------------------------------------
// SoftSpokenOT (Roy, CRYPTO 2022) and the triangular Gilboa product (src/ot/softspoken.ts,
// src/mpc/semi2k/ot-triples.ts).

/** dst ^= src over `bytes` bytes (a multiple of 16). */
// @ts-ignore: decorator
@inline function xorInto(dst: usize, src: usize, bytes: usize): void {
  for (let o: usize = 0; o < bytes; o += 16) v128.store(dst + o, v128.xor(v128.load(dst + o), v128.load(src + o)));
}

/**
 * One block of SoftSpokenOT's small-field VOLE: from the 2^k PRG streams G(s_x) (each W bytes,
 * stream x at streams + x·W) the outputs out_b = ⊕_x bit_b(x ⊕ d)·G(s_x) for b < k (at out +
 * b·W), and, when `u` is not 0, u = ⊕_x G(s_x). With d = 0 these are the VOLE sender's v;
 * with d = Δ_i the VOLE receiver's w (the unknown stream x = Δ_i has coefficient 0 in every
 * output, so its contents do not matter).
 */
export function ssCombine(out: usize, u: usize, streams: usize, k: i32, W: i32, d: i32): void {
  const w = <usize>W;
  if (k == 2) {
    ssCombine2(out, u, streams, w, d);
    return;
  }
  memory.fill(out, 0, <usize>k * w);
  if (u) memory.fill(u, 0, w);
  const count = 1 << k;
  for (let x = 0; x < count; x++) {
    const g = streams + <usize>x * w;
    if (u) xorInto(u, g, w);
    const c = x ^ d;
    for (let b = 0; b < k; b++) if ((c >> b) & 1) xorInto(out + <usize>b * w, g, w);
  }
}

/** All-ones when bit b of (x ⊕ d) is set. */
// @ts-ignore: decorator
@inline function coeff(x: i32, d: i32, b: i32): v128 {
  return ((x ^ d) >> b) & 1 ? i64x2.splat(-1) : i64x2.splat(0);
}

/** ssCombine for k = 2 in one pass: four streams in, two (three with u) vectors out per 16 bytes. */
function ssCombine2(out: usize, u: usize, streams: usize, w: usize, d: i32): void {
  const a0 = coeff(0, d, 0), a1 = coeff(1, d, 0), a2 = coeff(2, d, 0), a3 = coeff(3, d, 0);
  const b0 = coeff(0, d, 1), b1 = coeff(1, d, 1), b2 = coeff(2, d, 1), b3 = coeff(3, d, 1);
  for (let o: usize = 0; o < w; o += 16) {
    const g0 = v128.load(streams + o), g1 = v128.load(streams + w + o);
    const g2 = v128.load(streams + 2 * w + o), g3 = v128.load(streams + 3 * w + o);
    v128.store(out + o, v128.xor(v128.xor(v128.and(g0, a0), v128.and(g1, a1)), v128.xor(v128.and(g2, a2), v128.and(g3, a3))));
    v128.store(out + w + o, v128.xor(v128.xor(v128.and(g0, b0), v128.and(g1, b1)), v128.xor(v128.and(g2, b2), v128.and(g3, b3))));
    if (u) v128.store(u + o, v128.xor(v128.xor(g0, g1), v128.xor(g2, g3)));
  }
}

/** Column c (W bytes each, of `cols` columns at `q`) ^= corr (W bytes) where bit c of `sel` (16 bytes) is set, for c in [from, from + k). */
export function xorSelectedColumns(q: usize, corr: usize, sel: usize, from: i32, k: i32, W: i32): void {
  for (let c = from; c < from + k; c++) {
    if ((load<u8>(sel + <usize>(c >> 3)) >> <u8>(c & 7)) & 1) xorInto(q + <usize>c * <usize>W, corr, <usize>W);
  }
}

/** out[j] = low 64 bits of (enc_j ⊕ rows_j) for 16-byte blocks: the hash π(x) ⊕ x, truncated. */
export function hashLow(out: usize, enc: usize, rows: usize, count: i32): void {
  for (let j = 0; j < count; j++) {
    const o = <usize>j << 4;
    store<u64>(out + (<usize>j << 3), load<u64>(enc + o) ^ load<u64>(rows + o));
  }
}

/**
 * Gilboa's product with the triangular trick, sender side (one word a[e] per element, 64 OTs
 * per element, hash words h0/h1 one per OT). OT k of an element only has to be right modulo
 * 2^(64−k), because its output is multiplied by 2^k: the correction is d = h0 − h1 + a mod
 * 2^(64−k), packed in 64 − k bits (2080 bits an element, 65 words per two elements, `d`
 * zeroed by the caller); out[e] = −Σ_k h0·2^k.
 */
export function gilboaSendTri(d: usize, out: usize, h0: usize, h1: usize, a: usize, n: i32): void {
  let pos: u64 = 0;
  for (let e = 0; e < n; e++) {
    const ae = load<u64>(a + (<usize>e << 3));
    let acc: u64 = 0;
    const j = <usize>(e * 64) << 3;
    for (let k = 0; k < 64; k++) {
      const s = load<u64>(h0 + j + (<usize>k << 3));
      acc -= s << <u64>k;
      const width = <u64>(64 - k);
      const v = (s - load<u64>(h1 + j + (<usize>k << 3)) + ae) & (k == 0 ? <u64>-1 : ((<u64>1 << width) - 1));
      const idx = d + <usize>((pos >> 6) << 3);
      const off = pos & 63;
      store<u64>(idx, load<u64>(idx) | (v << off));
      if (off + width > 64) store<u64>(idx + 8, load<u64>(idx + 8) | (v >> (64 - off)));
      pos += width;
    }
    store<u64>(out + (<usize>e << 3), acc);
  }
}

/** Triangular Gilboa, receiver side: out[e] = Σ_k (ht + bit_k(b[e])·d_k)·2^k, d unpacked as above. */
export function gilboaRecvTri(out: usize, ht: usize, d: usize, b: usize, n: i32): void {
  let pos: u64 = 0;
  for (let e = 0; e < n; e++) {
    const be = load<u64>(b + (<usize>e << 3));
    let acc: u64 = 0;
    const j = <usize>(e * 64) << 3;
    for (let k = 0; k < 64; k++) {
      const width = <u64>(64 - k);
      const idx = d + <usize>((pos >> 6) << 3);
      const off = pos & 63;
      let v = load<u64>(idx) >> off;
      if (off + width > 64) v |= load<u64>(idx + 8) << (64 - off);
      pos += width;
      const m: u64 = 0 - ((be >> <u64>k) & 1);
      acc += (load<u64>(ht + j + (<usize>k << 3)) + (v & m)) << <u64>k;
    }
    store<u64>(out + (<usize>e << 3), acc);
  }
}
