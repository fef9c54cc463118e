// Local steps of the packed carry-lookahead tree (src/mpc/circuits/carry-tree.ts), compiled to
// WebAssembly: between two rounds of AND, each party unzips its shares' bit groups into the
// next level's AND inputs. These bit shuffles were ~40 % of a comparison's CPU time in
// JavaScript (per-element table lookups on u32/u16 views); here each is a few shift-and-mask
// steps on whole registers.
//
// Level k (k = 1..6) of the tree pairs 2^(k-1)-bit groups: with g, p the generate and
// propagate bits of the groups, odd groups (hi) over even groups (lo), the level needs
// p_hi·g_lo and p_hi·p_lo — one word-wise AND of X = [p_hi, p_hi] with Y = [g_lo, p_lo] —
// and then g' = g_hi XOR p_hi·g_lo, p' = p_hi·p_lo (XOR-shares commute with rewiring bits).
// Per element the AND inputs are 64, 32, 16, 8, 8, 8 bits wide; levels 4..6 use one byte.
//
// Layouts per element i (little-endian):
//   level 1   in:  G, P (u64)                  out: X, Y (u64), GH (u32)
//   level 2   in:  Z (u64), GH (u32)           out: X, Y (u32), GH (u16)
//   level 3   in:  Z (u32), GH (u16)           out: X, Y (u16), GH (u8)
//   level 4-6 in:  Z (u16 or u8), GH (u8)      out: X, Y (u8), GH (u8)
//   final     in:  Z (u8), GH (u8)             out: carry (u64, 0/1)

/** Bits 0, 2, 4, … of v, packed into the low half. */
// @ts-ignore: decorator
@inline function even64(v: u64): u64 {
  let x = v & 0x5555555555555555;
  x = (x | (x >> 1)) & 0x3333333333333333;
  x = (x | (x >> 2)) & 0x0f0f0f0f0f0f0f0f;
  x = (x | (x >> 4)) & 0x00ff00ff00ff00ff;
  x = (x | (x >> 8)) & 0x0000ffff0000ffff;
  return (x | (x >> 16)) & 0x00000000ffffffff;
}

// @ts-ignore: decorator
@inline function even32(v: u32): u32 {
  let x = v & 0x55555555;
  x = (x | (x >> 1)) & 0x33333333;
  x = (x | (x >> 2)) & 0x0f0f0f0f;
  x = (x | (x >> 4)) & 0x00ff00ff;
  return (x | (x >> 8)) & 0x0000ffff;
}

// @ts-ignore: decorator
@inline function even64x2(v: v128): v128 {
  let x = v128.and(v, i64x2.splat(0x5555555555555555));
  x = v128.and(v128.or(x, i64x2.shr_u(x, 1)), i64x2.splat(0x3333333333333333));
  x = v128.and(v128.or(x, i64x2.shr_u(x, 2)), i64x2.splat(0x0f0f0f0f0f0f0f0f));
  x = v128.and(v128.or(x, i64x2.shr_u(x, 4)), i64x2.splat(0x00ff00ff00ff00ff));
  x = v128.and(v128.or(x, i64x2.shr_u(x, 8)), i64x2.splat(0x0000ffff0000ffff));
  return v128.and(v128.or(x, i64x2.shr_u(x, 16)), i64x2.splat(0x00000000ffffffff));
}

// @ts-ignore: decorator
@inline function even32x4(v: v128): v128 {
  let x = v128.and(v, i32x4.splat(0x55555555));
  x = v128.and(v128.or(x, i32x4.shr_u(x, 1)), i32x4.splat(0x33333333));
  x = v128.and(v128.or(x, i32x4.shr_u(x, 2)), i32x4.splat(0x0f0f0f0f));
  x = v128.and(v128.or(x, i32x4.shr_u(x, 4)), i32x4.splat(0x00ff00ff));
  return v128.and(v128.or(x, i32x4.shr_u(x, 8)), i32x4.splat(0x0000ffff));
}

// @ts-ignore: decorator
@inline function even16x8(v: v128): v128 {
  let x = v128.and(v, i16x8.splat(0x5555));
  x = v128.and(v128.or(x, i16x8.shr_u(x, 1)), i16x8.splat(0x3333));
  x = v128.and(v128.or(x, i16x8.shr_u(x, 2)), i16x8.splat(0x0f0f));
  return v128.and(v128.or(x, i16x8.shr_u(x, 4)), i16x8.splat(0x00ff));
}

// @ts-ignore: decorator
@inline function even8x16(v: v128): v128 {
  let x = v128.and(v, i8x16.splat(0x55));
  x = v128.and(v128.or(x, i8x16.shr_u(x, 1)), i8x16.splat(0x33));
  return v128.and(v128.or(x, i8x16.shr_u(x, 2)), i8x16.splat(0x0f));
}

/**
 * Level 1, from the generate and propagate words of a + b shifted left by one (so bit 63
 * drops out and the tree over all 64 positions yields the carry into bit 63).
 */
export function level1(g: usize, p: usize, n: i32, x: usize, y: usize, gh: usize): void {
  const m = n & ~1;
  for (let i = 0; i < m; i += 2) {
    // Two elements per 128-bit register.
    const o = <usize>i << 3;
    const sg = i64x2.shl(v128.load(g + o), 1), sp = i64x2.shl(v128.load(p + o), 1);
    const pHi = even64x2(i64x2.shr_u(sp, 1));
    v128.store(x + o, v128.or(pHi, i64x2.shl(pHi, 32)));
    v128.store(y + o, v128.or(even64x2(sg), i64x2.shl(even64x2(sp), 32)));
    const ghv = even64x2(i64x2.shr_u(sg, 1));
    store<u64>(gh + (<usize>i << 2), i64x2.extract_lane(i32x4.shuffle(ghv, ghv, 0, 2, 0, 2), 0));
  }
  for (let i = m; i < n; i++) {
    const o = <usize>i << 3;
    const sg = load<u64>(g + o) << 1, sp = load<u64>(p + o) << 1;
    const pHi = even64(sp >> 1);
    store<u64>(x + o, pHi | (pHi << 32));
    store<u64>(y + o, even64(sg) | (even64(sp) << 32));
    store<u32>(gh + (<usize>i << 2), <u32>even64(sg >> 1));
  }
}

/** Level 2 from level 1's AND output. */
export function level2(z: usize, ghIn: usize, n: i32, x: usize, y: usize, gh: usize): void {
  const m = n & ~3;
  for (let i = 0; i < m; i += 4) {
    // Four elements: split the AND output into its g and p halves (u32 lanes 0, 2 / 1, 3).
    const a = v128.load(z + (<usize>i << 3)), b = v128.load(z + (<usize>i << 3) + 16);
    const zg = i32x4.shuffle(a, b, 0, 2, 4, 6), zp = i32x4.shuffle(a, b, 1, 3, 5, 7);
    const gv = v128.xor(v128.load(ghIn + (<usize>i << 2)), zg);
    const pHi = even32x4(i32x4.shr_u(zp, 1));
    const o = <usize>i << 2;
    v128.store(x + o, v128.or(pHi, i32x4.shl(pHi, 16)));
    v128.store(y + o, v128.or(even32x4(gv), i32x4.shl(even32x4(zp), 16)));
    store<u64>(gh + (<usize>i << 1), i64x2.extract_lane(i16x8.narrow_i32x4_u(even32x4(i32x4.shr_u(gv, 1)), gv), 0));
  }
  for (let i = m; i < n; i++) {
    const zv = load<u64>(z + (<usize>i << 3));
    const gv = load<u32>(ghIn + (<usize>i << 2)) ^ <u32>zv;
    const pv = <u32>(zv >> 32);
    const pHi = even32(pv >> 1);
    const o = <usize>i << 2;
    store<u32>(x + o, pHi | (pHi << 16));
    store<u32>(y + o, even32(gv) | (even32(pv) << 16));
    store<u16>(gh + (<usize>i << 1), <u16>even32(gv >> 1));
  }
}

/** Level 3 from level 2's AND output. */
export function level3(z: usize, ghIn: usize, n: i32, x: usize, y: usize, gh: usize): void {
  const m = n & ~7;
  for (let i = 0; i < m; i += 8) {
    // Eight elements: u16 lanes 0, 2, … are the g halves, 1, 3, … the p halves.
    const a = v128.load(z + (<usize>i << 2)), b = v128.load(z + (<usize>i << 2) + 16);
    const zg = i16x8.shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14), zp = i16x8.shuffle(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
    const gv = v128.xor(v128.load(ghIn + (<usize>i << 1)), zg);
    const pHi = even16x8(i16x8.shr_u(zp, 1));
    const o = <usize>i << 1;
    v128.store(x + o, v128.or(pHi, i16x8.shl(pHi, 8)));
    v128.store(y + o, v128.or(even16x8(gv), i16x8.shl(even16x8(zp), 8)));
    store<u64>(gh + <usize>i, i64x2.extract_lane(i8x16.narrow_i16x8_u(even16x8(i16x8.shr_u(gv, 1)), gv), 0));
  }
  for (let i = m; i < n; i++) {
    const zv = load<u32>(z + (<usize>i << 2));
    const gv = <u32>load<u16>(ghIn + (<usize>i << 1)) ^ (zv & 0xffff);
    const pv = zv >> 16;
    const pHi = even32(pv >> 1);
    const o = <usize>i << 1;
    store<u16>(x + o, <u16>(pHi | (pHi << 8)));
    store<u16>(y + o, <u16>(even32(gv) | (even32(pv) << 8)));
    store<u8>(gh + <usize>i, <u8>even32(gv >> 1));
  }
}

/**
 * Levels 4..6 (`width` 8, 4, 2 bits per group vector) from the previous level's AND output,
 * whose elements are `zBytes` (2 after level 3, else 1) wide with `half` bits per half.
 */
export function levelSmall(z: usize, zBytes: i32, ghIn: usize, n: i32, half: i32, width: i32, x: usize, y: usize, gh: usize): void {
  const mask: u32 = (1 << half) - 1;
  const h2 = width >> 1;
  const last = h2 == 1;
  const m = n & ~15;
  const vmask = i8x16.splat(<u8>mask);
  for (let i = 0; i < m; i += 16) {
    // Sixteen elements, one byte each.
    let zv: v128;
    if (zBytes == 2) {
      const a = v128.load(z + (<usize>i << 1)), b = v128.load(z + (<usize>i << 1) + 16);
      const lo = i8x16.shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
      const hi = i8x16.shuffle(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
      // half = 8 here: the g half is the low byte, the p half the high byte.
      const gv = v128.xor(v128.load(ghIn + <usize>i), lo);
      smallStep(gv, hi, h2, last, x + <usize>i, y + <usize>i, gh + <usize>i);
      continue;
    }
    zv = v128.load(z + <usize>i);
    const gv = v128.xor(v128.load(ghIn + <usize>i), v128.and(zv, vmask));
    smallStep(gv, i8x16.shr_u(zv, <i32>half), h2, last, x + <usize>i, y + <usize>i, gh + <usize>i);
  }
  for (let i = m; i < n; i++) {
    const zv: u32 = zBytes == 2 ? <u32>load<u16>(z + (<usize>i << 1)) : <u32>load<u8>(z + <usize>i);
    const gv = <u32>load<u8>(ghIn + <usize>i) ^ (zv & mask);
    const pv = zv >> half;
    const pHi = even32(pv >> 1);
    store<u8>(x + <usize>i, <u8>(last ? pHi : pHi | (pHi << h2)));
    store<u8>(y + <usize>i, <u8>(last ? even32(gv) : even32(gv) | (even32(pv) << h2)));
    store<u8>(gh + <usize>i, <u8>even32(gv >> 1));
  }
}

// @ts-ignore: decorator
@inline function smallStep(gv: v128, pv: v128, h2: i32, last: bool, x: usize, y: usize, gh: usize): void {
  const pHi = even8x16(i8x16.shr_u(pv, 1));
  v128.store(x, last ? pHi : v128.or(pHi, i8x16.shl(pHi, h2)));
  v128.store(y, last ? even8x16(gv) : v128.or(even8x16(gv), i8x16.shl(even8x16(pv), h2)));
  v128.store(gh, even8x16(i8x16.shr_u(gv, 1)));
}

/** The carry (bit 0 of each output word) from level 6's AND output. */
export function finish(z: usize, ghIn: usize, n: i32, out: usize): void {
  for (let i = 0; i < n; i++) {
    store<u64>(out + (<usize>i << 3), <u64>((load<u8>(ghIn + <usize>i) ^ load<u8>(z + <usize>i)) & 1));
  }
}

/** Where free memory starts (after the kernel's static data). */
export function heapBase(): usize {
  return __heap_base;
}
