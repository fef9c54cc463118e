// Arithmetic in GF(2^255 - 19) for the hash-to-curve kernel, after the "ref10" code of
// Bernstein, Duif, Lange, Schwabe and Yang ("High-speed high-security signatures", CHES 2011):
// ten signed limbs of alternately 26 and 25 bits (radix 2^25.5), i64 products, and the
// 19-fold wrap-around of 2^255 folded into the product terms.
//
// Why this and not node:crypto: the map to the curve needs one 252-bit exponentiation per
// field element, and the only native modexp in Node (OpenSSL's, through a DiffieHellman
// object) refuses moduli under 512 bits; a 512-bit stand-in costs ~45 µs an exponentiation,
// BigInt ~330 µs, and this ~8 µs (measured on this machine; see docs/psi.md).
//
// An element is 10 × i32 (40 bytes) at a pointer. Every operation that stores an element
// leaves it "carried" (|limb| ≤ ~2^25 / 2^24), so any result is a valid input to any
// operation; adds and subtracts carry too (it costs little next to a product and removes a
// class of overflow bugs). Arguments may alias.

export const FE_BYTES: usize = 40;

// @ts-ignore: decorator
@inline function ld(p: usize, i: usize): i64 {
  return <i64>load<i32>(p + (i << 2));
}

// @ts-ignore: decorator
@inline function carryStore(h: usize, h0: i64, h1: i64, h2: i64, h3: i64, h4: i64, h5: i64, h6: i64, h7: i64, h8: i64, h9: i64): void {
  let c: i64;
  c = (h0 + 0x2000000) >> 26; h1 += c; h0 -= c << 26;
  c = (h4 + 0x2000000) >> 26; h5 += c; h4 -= c << 26;
  c = (h1 + 0x1000000) >> 25; h2 += c; h1 -= c << 25;
  c = (h5 + 0x1000000) >> 25; h6 += c; h5 -= c << 25;
  c = (h2 + 0x2000000) >> 26; h3 += c; h2 -= c << 26;
  c = (h6 + 0x2000000) >> 26; h7 += c; h6 -= c << 26;
  c = (h3 + 0x1000000) >> 25; h4 += c; h3 -= c << 25;
  c = (h7 + 0x1000000) >> 25; h8 += c; h7 -= c << 25;
  c = (h4 + 0x2000000) >> 26; h5 += c; h4 -= c << 26;
  c = (h8 + 0x2000000) >> 26; h9 += c; h8 -= c << 26;
  c = (h9 + 0x1000000) >> 25; h0 += c * 19; h9 -= c << 25;
  c = (h0 + 0x2000000) >> 26; h1 += c; h0 -= c << 26;
  store<i32>(h, <i32>h0); store<i32>(h, <i32>h1, 4); store<i32>(h, <i32>h2, 8); store<i32>(h, <i32>h3, 12);
  store<i32>(h, <i32>h4, 16); store<i32>(h, <i32>h5, 20); store<i32>(h, <i32>h6, 24); store<i32>(h, <i32>h7, 28);
  store<i32>(h, <i32>h8, 32); store<i32>(h, <i32>h9, 36);
}

export function feZero(h: usize): void {
  memory.fill(h, 0, FE_BYTES);
}

export function feSmall(h: usize, v: i32): void {
  memory.fill(h, 0, FE_BYTES);
  store<i32>(h, v);
  carryStore(h, ld(h, 0), 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

export function feCopy(h: usize, f: usize): void {
  memory.copy(h, f, FE_BYTES);
}

export function feAdd(h: usize, f: usize, g: usize): void {
  carryStore(h, ld(f, 0) + ld(g, 0), ld(f, 1) + ld(g, 1), ld(f, 2) + ld(g, 2), ld(f, 3) + ld(g, 3), ld(f, 4) + ld(g, 4),
    ld(f, 5) + ld(g, 5), ld(f, 6) + ld(g, 6), ld(f, 7) + ld(g, 7), ld(f, 8) + ld(g, 8), ld(f, 9) + ld(g, 9));
}

export function feSub(h: usize, f: usize, g: usize): void {
  carryStore(h, ld(f, 0) - ld(g, 0), ld(f, 1) - ld(g, 1), ld(f, 2) - ld(g, 2), ld(f, 3) - ld(g, 3), ld(f, 4) - ld(g, 4),
    ld(f, 5) - ld(g, 5), ld(f, 6) - ld(g, 6), ld(f, 7) - ld(g, 7), ld(f, 8) - ld(g, 8), ld(f, 9) - ld(g, 9));
}

export function feNeg(h: usize, f: usize): void {
  carryStore(h, -ld(f, 0), -ld(f, 1), -ld(f, 2), -ld(f, 3), -ld(f, 4), -ld(f, 5), -ld(f, 6), -ld(f, 7), -ld(f, 8), -ld(f, 9));
}

/** h = f * c for a small constant |c| < 2^31. */
export function feMulSmall(h: usize, f: usize, c: i64): void {
  carryStore(h, ld(f, 0) * c, ld(f, 1) * c, ld(f, 2) * c, ld(f, 3) * c, ld(f, 4) * c,
    ld(f, 5) * c, ld(f, 6) * c, ld(f, 7) * c, ld(f, 8) * c, ld(f, 9) * c);
}

export function feMul(h: usize, f: usize, g: usize): void {
  const f0 = ld(f, 0), f1 = ld(f, 1), f2 = ld(f, 2), f3 = ld(f, 3), f4 = ld(f, 4);
  const f5 = ld(f, 5), f6 = ld(f, 6), f7 = ld(f, 7), f8 = ld(f, 8), f9 = ld(f, 9);
  const g0 = ld(g, 0), g1 = ld(g, 1), g2 = ld(g, 2), g3 = ld(g, 3), g4 = ld(g, 4);
  const g5 = ld(g, 5), g6 = ld(g, 6), g7 = ld(g, 7), g8 = ld(g, 8), g9 = ld(g, 9);
  const g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4, g5_19 = 19 * g5;
  const g6_19 = 19 * g6, g7_19 = 19 * g7, g8_19 = 19 * g8, g9_19 = 19 * g9;
  const f1_2 = 2 * f1, f3_2 = 2 * f3, f5_2 = 2 * f5, f7_2 = 2 * f7, f9_2 = 2 * f9;
  // h_k = sum of f_i g_j over i + j = k (mod 10); odd × odd limbs take a factor 2 (radix
  // 2^25.5), and terms with i + j >= 10 wrap around with a factor 19 (2^255 = 19 mod p).
  const h0 = f0 * g0 + f1_2 * g9_19 + f2 * g8_19 + f3_2 * g7_19 + f4 * g6_19 + f5_2 * g5_19 + f6 * g4_19 + f7_2 * g3_19 + f8 * g2_19 + f9_2 * g1_19;
  const h1 = f0 * g1 + f1 * g0 + f2 * g9_19 + f3 * g8_19 + f4 * g7_19 + f5 * g6_19 + f6 * g5_19 + f7 * g4_19 + f8 * g3_19 + f9 * g2_19;
  const h2 = f0 * g2 + f1_2 * g1 + f2 * g0 + f3_2 * g9_19 + f4 * g8_19 + f5_2 * g7_19 + f6 * g6_19 + f7_2 * g5_19 + f8 * g4_19 + f9_2 * g3_19;
  const h3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9_19 + f5 * g8_19 + f6 * g7_19 + f7 * g6_19 + f8 * g5_19 + f9 * g4_19;
  const h4 = f0 * g4 + f1_2 * g3 + f2 * g2 + f3_2 * g1 + f4 * g0 + f5_2 * g9_19 + f6 * g8_19 + f7_2 * g7_19 + f8 * g6_19 + f9_2 * g5_19;
  const h5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + f6 * g9_19 + f7 * g8_19 + f8 * g7_19 + f9 * g6_19;
  const h6 = f0 * g6 + f1_2 * g5 + f2 * g4 + f3_2 * g3 + f4 * g2 + f5_2 * g1 + f6 * g0 + f7_2 * g9_19 + f8 * g8_19 + f9_2 * g7_19;
  const h7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + f8 * g9_19 + f9 * g8_19;
  const h8 = f0 * g8 + f1_2 * g7 + f2 * g6 + f3_2 * g5 + f4 * g4 + f5_2 * g3 + f6 * g2 + f7_2 * g1 + f8 * g0 + f9_2 * g9_19;
  const h9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
  carryStore(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/** h = f^(2^n) (n ≥ 1 squarings), the limbs kept in locals between squarings. */
export function feSqn(h: usize, f: usize, n: i32): void {
  let f0 = ld(f, 0), f1 = ld(f, 1), f2 = ld(f, 2), f3 = ld(f, 3), f4 = ld(f, 4);
  let f5 = ld(f, 5), f6 = ld(f, 6), f7 = ld(f, 7), f8 = ld(f, 8), f9 = ld(f, 9);
  let h0: i64 = 0, h1: i64 = 0, h2: i64 = 0, h3: i64 = 0, h4: i64 = 0, h5: i64 = 0, h6: i64 = 0, h7: i64 = 0, h8: i64 = 0, h9: i64 = 0;
  for (let i = 0; i < n; i++) {
    const f0_2 = 2 * f0, f1_2 = 2 * f1, f2_2 = 2 * f2, f3_2 = 2 * f3, f4_2 = 2 * f4;
    const f5_2 = 2 * f5, f6_2 = 2 * f6, f7_2 = 2 * f7, f8_2 = 2 * f8, f9_2 = 2 * f9;
    const f5_19 = 19 * f5, f6_19 = 19 * f6, f7_19 = 19 * f7, f8_19 = 19 * f8, f9_19 = 19 * f9;
    const f7_38 = 38 * f7, f9_38 = 38 * f9;
    h0 = f0 * f0 + f1_2 * f9_38 + f2_2 * f8_19 + f3_2 * f7_38 + f4_2 * f6_19 + f5_2 * f5_19;
    h1 = f0_2 * f1 + f2_2 * f9_19 + f3_2 * f8_19 + f4_2 * f7_19 + f5_2 * f6_19;
    h2 = f0_2 * f2 + f1_2 * f1 + f3_2 * f9_38 + f4_2 * f8_19 + f5_2 * f7_38 + f6 * f6_19;
    h3 = f0_2 * f3 + f1_2 * f2 + f4_2 * f9_19 + f5_2 * f8_19 + f6_2 * f7_19;
    h4 = f0_2 * f4 + f1_2 * f3_2 + f2 * f2 + f5_2 * f9_38 + f6_2 * f8_19 + f7_2 * f7_19;
    h5 = f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6_2 * f9_19 + f7_2 * f8_19;
    h6 = f0_2 * f6 + f1_2 * f5_2 + f2_2 * f4 + f3_2 * f3 + f7_2 * f9_38 + f8 * f8_19;
    h7 = f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8_2 * f9_19;
    h8 = f0_2 * f8 + f1_2 * f7_2 + f2_2 * f6 + f3_2 * f5_2 + f4 * f4 + f9_2 * f9_19;
    h9 = f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5;
    let c: i64;
    c = (h0 + 0x2000000) >> 26; h1 += c; h0 -= c << 26;
    c = (h4 + 0x2000000) >> 26; h5 += c; h4 -= c << 26;
    c = (h1 + 0x1000000) >> 25; h2 += c; h1 -= c << 25;
    c = (h5 + 0x1000000) >> 25; h6 += c; h5 -= c << 25;
    c = (h2 + 0x2000000) >> 26; h3 += c; h2 -= c << 26;
    c = (h6 + 0x2000000) >> 26; h7 += c; h6 -= c << 26;
    c = (h3 + 0x1000000) >> 25; h4 += c; h3 -= c << 25;
    c = (h7 + 0x1000000) >> 25; h8 += c; h7 -= c << 25;
    c = (h4 + 0x2000000) >> 26; h5 += c; h4 -= c << 26;
    c = (h8 + 0x2000000) >> 26; h9 += c; h8 -= c << 26;
    c = (h9 + 0x1000000) >> 25; h0 += c * 19; h9 -= c << 25;
    c = (h0 + 0x2000000) >> 26; h1 += c; h0 -= c << 26;
    f0 = h0; f1 = h1; f2 = h2; f3 = h3; f4 = h4; f5 = h5; f6 = h6; f7 = h7; f8 = h8; f9 = h9;
  }
  store<i32>(h, <i32>h0); store<i32>(h, <i32>h1, 4); store<i32>(h, <i32>h2, 8); store<i32>(h, <i32>h3, 12);
  store<i32>(h, <i32>h4, 16); store<i32>(h, <i32>h5, 20); store<i32>(h, <i32>h6, 24); store<i32>(h, <i32>h7, 28);
  store<i32>(h, <i32>h8, 32); store<i32>(h, <i32>h9, 36);
}

export function feSq(h: usize, f: usize): void {
  feSqn(h, f, 1);
}

const T0: usize = memory.data(40, 8);
const T1: usize = memory.data(40, 8);
const T2: usize = memory.data(40, 8);
const T3: usize = memory.data(40, 8);

/** T1 = z^(2^250 - 1) and T0 = z^11: ref10's addition chain, shared by the two powers below. */
function pow2250m1(z: usize): void {
  feSq(T0, z);           // z^2
  feSqn(T1, T0, 2);      // z^8
  feMul(T1, z, T1);      // z^9
  feMul(T0, T0, T1);     // z^11
  feSq(T2, T0);          // z^22
  feMul(T1, T1, T2);     // z^31 = z^(2^5 - 1)
  feSqn(T2, T1, 5);
  feMul(T1, T2, T1);     // 2^10 - 1
  feSqn(T2, T1, 10);
  feMul(T2, T2, T1);     // 2^20 - 1
  feSqn(T3, T2, 20);
  feMul(T2, T3, T2);     // 2^40 - 1
  feSqn(T2, T2, 10);
  feMul(T1, T2, T1);     // 2^50 - 1
  feSqn(T2, T1, 50);
  feMul(T2, T2, T1);     // 2^100 - 1
  feSqn(T3, T2, 100);
  feMul(T2, T3, T2);     // 2^200 - 1
  feSqn(T2, T2, 50);
  feMul(T1, T2, T1);     // 2^250 - 1
}

/** h = z^((p - 5) / 8) = z^(2^252 - 3), the exponent of the Elligator 2 square root. */
export function fePow22523(h: usize, z: usize): void {
  pow2250m1(z);
  feSqn(T1, T1, 2);      // 2^252 - 4
  feMul(h, T1, z);       // 2^252 - 3
}

/** h = 1 / z = z^(p - 2) = z^(2^255 - 21) (0 for z = 0). */
export function feInvert(h: usize, z: usize): void {
  pow2250m1(z);
  feSqn(T1, T1, 5);      // 2^255 - 32
  feMul(h, T1, T0);      // 2^255 - 21
}

/** Loads a 255-bit little-endian integer given as four u64 words (bit 255 ignored). */
export function feFromWords(h: usize, w0: u64, w1: u64, w2: u64, w3: u64): void {
  store<i32>(h, <i32>(w0 & 0x3ffffff));
  store<i32>(h, <i32>((w0 >> 26) & 0x1ffffff), 4);
  store<i32>(h, <i32>(((w0 >> 51) | (w1 << 13)) & 0x3ffffff), 8);
  store<i32>(h, <i32>((w1 >> 13) & 0x1ffffff), 12);
  store<i32>(h, <i32>((w1 >> 38) & 0x3ffffff), 16);
  store<i32>(h, <i32>(w2 & 0x1ffffff), 20);
  store<i32>(h, <i32>((w2 >> 25) & 0x3ffffff), 24);
  store<i32>(h, <i32>(((w2 >> 51) | (w3 << 13)) & 0x1ffffff), 28);
  store<i32>(h, <i32>((w3 >> 12) & 0x3ffffff), 32);
  store<i32>(h, <i32>((w3 >> 38) & 0x1ffffff), 36);
}

/** 32 little-endian bytes (RFC 7748 §5 decoding: the top bit is ignored, values ≥ p accepted). */
export function feFromBytes(h: usize, s: usize): void {
  feFromWords(h, load<u64>(s), load<u64>(s, 8), load<u64>(s, 16), load<u64>(s, 24));
}

/** The canonical 32-byte little-endian encoding (fully reduced mod p), ref10's fe_tobytes. */
export function feToBytes(s: usize, h: usize): void {
  let h0 = ld(h, 0), h1 = ld(h, 1), h2 = ld(h, 2), h3 = ld(h, 3), h4 = ld(h, 4);
  let h5 = ld(h, 5), h6 = ld(h, 6), h7 = ld(h, 7), h8 = ld(h, 8), h9 = ld(h, 9);
  // q = floor(h / p), found from the top carry; then h - q p is in [0, p).
  let q: i64 = (19 * h9 + 0x1000000) >> 25;
  q = (h0 + q) >> 26; q = (h1 + q) >> 25; q = (h2 + q) >> 26; q = (h3 + q) >> 25; q = (h4 + q) >> 26;
  q = (h5 + q) >> 25; q = (h6 + q) >> 26; q = (h7 + q) >> 25; q = (h8 + q) >> 26; q = (h9 + q) >> 25;
  h0 += 19 * q;
  let c: i64;
  c = h0 >> 26; h1 += c; h0 -= c << 26;
  c = h1 >> 25; h2 += c; h1 -= c << 25;
  c = h2 >> 26; h3 += c; h2 -= c << 26;
  c = h3 >> 25; h4 += c; h3 -= c << 25;
  c = h4 >> 26; h5 += c; h4 -= c << 26;
  c = h5 >> 25; h6 += c; h5 -= c << 25;
  c = h6 >> 26; h7 += c; h6 -= c << 26;
  c = h7 >> 25; h8 += c; h7 -= c << 25;
  c = h8 >> 26; h9 += c; h8 -= c << 26;
  c = h9 >> 25; h9 -= c << 25;
  // Limb i starts at bit 0, 26, 51, 77, 102, 128, 153, 179, 204, 230.
  const u0 = <u64>h0, u1 = <u64>h1, u2 = <u64>h2, u3 = <u64>h3, u4 = <u64>h4;
  const u5 = <u64>h5, u6 = <u64>h6, u7 = <u64>h7, u8 = <u64>h8, u9 = <u64>h9;
  store<u64>(s, u0 | (u1 << 26) | (u2 << 51));
  store<u64>(s, (u2 >> 13) | (u3 << 13) | (u4 << 38), 8);
  store<u64>(s, u5 | (u6 << 25) | (u7 << 51), 16);
  store<u64>(s, (u7 >> 13) | (u8 << 12) | (u9 << 38), 24);
}

const BYTES_A: usize = memory.data(32, 8);

/** 1 if f = 0 (mod p), else 0. */
export function feIsZero(f: usize): i32 {
  feToBytes(BYTES_A, f);
  return <i32>((load<u64>(BYTES_A) | load<u64>(BYTES_A, 8) | load<u64>(BYTES_A, 16) | load<u64>(BYTES_A, 24)) == 0);
}

const EQ_T: usize = memory.data(40, 8);
/** 1 if f = g (mod p), else 0. */
export function feEq(f: usize, g: usize): i32 {
  feSub(EQ_T, f, g);
  return feIsZero(EQ_T);
}

/** sgn0 of RFC 9380 §4.1 for a prime field: the parity of the canonical value. */
export function feSgn0(f: usize): i32 {
  feToBytes(BYTES_A, f);
  return <i32>(load<u8>(BYTES_A) & 1);
}

/** RFC 9380 CMOV(a, b, c): h = c ? b : a, without a branch on c. */
export function feCmov(h: usize, a: usize, b: usize, c: i32): void {
  const mask = -(c & 1);
  for (let i: usize = 0; i < 10; i++) {
    const x = load<i32>(a + (i << 2)), y = load<i32>(b + (i << 2));
    store<i32>(h + (i << 2), x ^ ((x ^ y) & mask));
  }
}
