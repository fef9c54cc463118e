// Hashing byte strings to Curve25519 for ECDH-PSI, as RFC 9380 `curve25519_XMD:SHA-512_ELL2_RO_`
// (§5.3.1 expand_message_xmd with SHA-512, §5.2 hash_to_field with L = 48, Appendix G.2.1's
// straight-line Elligator 2 map, the two map outputs added on the curve), in batches.
//
// The output is the Montgomery u-coordinate of R = map(u0) + map(u1), *before* the cofactor
// clearing P = 8R of §7: the PSI multiplies every point by a clamped X25519 scalar, a
// multiple of 8 (RFC 7748 §5), so X25519(a, u(R)) = u((a/8) · P) and the clearing comes for
// free inside the first scalar multiplication. Tests check u(8R) against RFC 9380's vectors.
//
// One call hashes a whole batch: the SHA-512 work, the two maps (one 2^252-3 power each)
// and the addition are done per id, with the addition left as a fraction; the fractions'
// denominators are then inverted together with Montgomery's trick (one inversion and three
// products per id), and canonical 32-byte little-endian u-coordinates are written out.
import { sha512Final, sha512Init, sha512Resume, sha512Update, SHA512_CTX_BYTES } from './_sha512';
import {
  FE_BYTES, feAdd, feCmov, feCopy, feEq, feFromBytes, feFromWords, feInvert, feIsZero, feMul, feMulSmall, feNeg,
  fePow22523, feSgn0, feSmall, feSq, feSub, feToBytes,
} from './_fe25519';

export { sha512Init, sha512Update, sha512Final, sha512Constants, sha512Iv } from './_sha512';
export { feAdd, feSub, feMul, feSq, feSqn, feInvert, fePow22523, feFromBytes, feToBytes } from './_fe25519';

const CTX: usize = memory.data(SHA512_CTX_BYTES, 16);
const ZPAD_STATE: usize = memory.data(64, 16);
const ZERO_BLOCK: usize = memory.data(128, 16);
const B0: usize = memory.data(64, 16);
const BI: usize = memory.data(64, 16);
const XORED: usize = memory.data(64, 16);
const SUFFIX: usize = memory.data(4);
const UNIFORM: usize = memory.data(128, 16);

// Montgomery curve v^2 = u^3 + J u^2 + u (RFC 7748 §4.1: A = 486662, B = 1).
const J: i64 = 486662;
const ONE: usize = memory.data(40, 8);
const NEG_J: usize = memory.data(40, 8);
const C2: usize = memory.data(40, 8); // 2^((p + 3) / 8)
const C3: usize = memory.data(40, 8); // sqrt(-1)

let ready = false;
function init(): void {
  if (ready) return;
  // The first block of every b_0 is Z_pad, 128 zero bytes: hash it once.
  sha512Init(CTX);
  sha512Update(CTX, ZERO_BLOCK, 128);
  memory.copy(ZPAD_STATE, CTX, 64);
  feSmall(ONE, 1);
  feSmall(NEG_J, <i32>-J);
  // p = 5 (mod 8) and 2 is a non-square, so with t = 2^((p - 5) / 8):
  // 2^((p + 3) / 8) = 2t, and sqrt(-1) = 2^((p - 1) / 4) = 2t^2.
  feSmall(C2, 2);
  fePow22523(C3, C2);          // t
  feAdd(C2, C3, C3);           // 2t
  feMul(C3, C3, C2);           // 2t^2
  ready = true;
}

/** The constants c2 and c3 of the map, for the test (at out, 64 bytes). */
export function mapConstants(out: usize): void {
  init();
  feToBytes(out, C2);
  feToBytes(out + 32, C3);
}

/**
 * RFC 9380 §5.3.1 expand_message_xmd with SHA-512. `dstPrime` is DST || I2OSP(len(DST), 1)
 * (DST at most 255 bytes); `outLen` at most 255 × 64 (checked by the caller).
 */
export function expandMessageXmd(msg: usize, msgLen: usize, dstPrime: usize, dstPrimeLen: usize, out: usize, outLen: usize): void {
  init();
  const ell = (outLen + 63) >> 6;
  // b_0 = H(Z_pad || msg || I2OSP(len_in_bytes, 2) || I2OSP(0, 1) || DST_prime)
  sha512Resume(CTX, ZPAD_STATE, 128);
  sha512Update(CTX, msg, msgLen);
  store<u8>(SUFFIX, <u8>(outLen >> 8));
  store<u8>(SUFFIX, <u8>outLen, 1);
  store<u8>(SUFFIX, 0, 2);
  sha512Update(CTX, SUFFIX, 3);
  sha512Update(CTX, dstPrime, dstPrimeLen);
  sha512Final(CTX, B0);
  // b_1 = H(b_0 || I2OSP(1, 1) || DST_prime); b_i = H(strxor(b_0, b_(i-1)) || I2OSP(i, 1) || DST_prime)
  memory.copy(XORED, B0, 64);
  for (let i: usize = 1; i <= ell; i++) {
    sha512Init(CTX);
    sha512Update(CTX, XORED, 64);
    store<u8>(SUFFIX, <u8>i);
    sha512Update(CTX, SUFFIX, 1);
    sha512Update(CTX, dstPrime, dstPrimeLen);
    sha512Final(CTX, BI);
    const off = (i - 1) << 6;
    memory.copy(out + off, BI, min<usize>(64, outLen - off));
    for (let k: usize = 0; k < 64; k += 8) store<u64>(XORED + k, load<u64>(B0 + k) ^ load<u64>(BI + k));
  }
}

/** OS2IP of 48 big-endian bytes, reduced mod p (2^255 = 19 mod p). */
const HI: usize = memory.data(40, 8);
function feFrom48(h: usize, p: usize): void {
  const w0 = bswap<u64>(load<u64>(p + 40)), w1 = bswap<u64>(load<u64>(p + 32)), w2 = bswap<u64>(load<u64>(p + 24));
  const w3 = bswap<u64>(load<u64>(p + 16)), w4 = bswap<u64>(load<u64>(p + 8)), w5 = bswap<u64>(load<u64>(p));
  feFromWords(h, w0, w1, w2, w3);  // the low 255 bits
  feFromWords(HI, (w3 >> 63) | (w4 << 1), (w4 >> 63) | (w5 << 1), w5 >> 63, 0);  // the high 129 bits
  feMulSmall(HI, HI, 19);
  feAdd(h, h, HI);
}

const TV1: usize = memory.data(40, 8);
const TV2: usize = memory.data(40, 8);
const TV3: usize = memory.data(40, 8);
const XD: usize = memory.data(40, 8);
const GXD: usize = memory.data(40, 8);
const GX1: usize = memory.data(40, 8);
const GX2: usize = memory.data(40, 8);
const X2N: usize = memory.data(40, 8);
const Y11: usize = memory.data(40, 8);
const Y12: usize = memory.data(40, 8);
const Y21: usize = memory.data(40, 8);
const Y22: usize = memory.data(40, 8);
const Y1: usize = memory.data(40, 8);
const Y2: usize = memory.data(40, 8);

/** RFC 9380 Appendix G.2.1 map_to_curve_elligator2_curve25519: (xn / xd, y) on the curve. */
function mapToCurve(u: usize, xn: usize, xd: usize, y: usize): void {
  feSq(TV1, u);                      //  1. tv1 = u^2
  feAdd(TV1, TV1, TV1);              //  2. tv1 = 2 * tv1
  feAdd(XD, TV1, ONE);               //  3. xd = tv1 + 1
  //                                     4. x1n = -J
  feSq(TV2, XD);                     //  5. tv2 = xd^2
  feMul(GXD, TV2, XD);               //  6. gxd = tv2 * xd
  feMulSmall(GX1, TV1, J);           //  7. gx1 = J * tv1
  feMul(GX1, GX1, NEG_J);            //  8. gx1 = gx1 * x1n
  feAdd(GX1, GX1, TV2);              //  9. gx1 = gx1 + tv2
  feMul(GX1, GX1, NEG_J);            // 10. gx1 = gx1 * x1n
  feSq(TV3, GXD);                    // 11. tv3 = gxd^2
  feSq(TV2, TV3);                    // 12. tv2 = tv3^2
  feMul(TV3, TV3, GXD);              // 13. tv3 = tv3 * gxd
  feMul(TV3, TV3, GX1);              // 14. tv3 = tv3 * gx1
  feMul(TV2, TV2, TV3);              // 15. tv2 = tv2 * tv3
  fePow22523(Y11, TV2);              // 16. y11 = tv2^c4
  feMul(Y11, Y11, TV3);              // 17. y11 = y11 * tv3
  feMul(Y12, Y11, C3);               // 18. y12 = y11 * c3
  feSq(TV2, Y11);                    // 19. tv2 = y11^2
  feMul(TV2, TV2, GXD);              // 20. tv2 = tv2 * gxd
  const e1 = feEq(TV2, GX1);         // 21. e1 = tv2 == gx1
  feCmov(Y1, Y12, Y11, e1);          // 22. y1 = CMOV(y12, y11, e1)
  feMul(X2N, NEG_J, TV1);            // 23. x2n = x1n * tv1
  feMul(Y21, Y11, u);                // 24. y21 = y11 * u
  feMul(Y21, Y21, C2);               // 25. y21 = y21 * c2
  feMul(Y22, Y21, C3);               // 26. y22 = y21 * c3
  feMul(GX2, GX1, TV1);              // 27. gx2 = gx1 * tv1
  feSq(TV2, Y21);                    // 28. tv2 = y21^2
  feMul(TV2, TV2, GXD);              // 29. tv2 = tv2 * gxd
  const e2 = feEq(TV2, GX2);         // 30. e2 = tv2 == gx2
  feCmov(Y2, Y22, Y21, e2);          // 31. y2 = CMOV(y22, y21, e2)
  feSq(TV2, Y1);                     // 32. tv2 = y1^2
  feMul(TV2, TV2, GXD);              // 33. tv2 = tv2 * gxd
  const e3 = feEq(TV2, GX1);         // 34. e3 = tv2 == gx1
  feCmov(xn, X2N, NEG_J, e3);        // 35. xn = CMOV(x2n, x1n, e3)
  feCmov(y, Y2, Y1, e3);             // 36. y = CMOV(y2, y1, e3)
  const e4 = feSgn0(y);              // 37. e4 = sgn0(y) == 1
  feNeg(TV2, y);
  feCmov(y, y, TV2, e3 ^ e4);        // 38. y = CMOV(y, -y, e3 XOR e4)
  feCopy(xd, XD);                    // 39. return (xn, xd, y, 1)
}

const U0: usize = memory.data(40, 8);
const U1: usize = memory.data(40, 8);
const XN0: usize = memory.data(40, 8);
const XD0: usize = memory.data(40, 8);
const YY0: usize = memory.data(40, 8);
const XN1: usize = memory.data(40, 8);
const XD1: usize = memory.data(40, 8);
const YY1: usize = memory.data(40, 8);
const S1: usize = memory.data(40, 8);
const S2: usize = memory.data(40, 8);
const S3: usize = memory.data(40, 8);
const S4: usize = memory.data(40, 8);

/**
 * u(map(U0) + map(U1)) as a fraction num / den (affine Montgomery addition, RFC 7748's curve
 * with B = 1: lambda = (y1 - y0) / (x1 - x0), x = lambda^2 - A - x0 - x1; doubling when the
 * two points coincide). Returns 0, or 1 if the sum is the point at infinity (probability
 * about 2^-250 for hashed inputs: it needs u1 to map to -map(u0)).
 */
function mapPairToFraction(num: usize, den: usize): i32 {
  mapToCurve(U0, XN0, XD0, YY0);
  mapToCurve(U1, XN1, XD1, YY1);
  // D = xn1 xd0 - xn0 xd1, so x1 - x0 = D / (xd0 xd1).
  feMul(S1, XN1, XD0);
  feMul(S2, XN0, XD1);
  feSub(S1, S1, S2);                       // D
  if (!feIsZero(S1)) {
    // lambda = N / D with N = (y1 - y0) xd0 xd1;
    // x = [N^2 xd0 xd1 - (A xd0 xd1 + xn0 xd1 + xn1 xd0) D^2] / (D^2 xd0 xd1).
    feMul(S3, XD0, XD1);                   // xd0 xd1
    feSub(S2, YY1, YY0);
    feMul(S2, S2, S3);                     // N
    feSq(S2, S2);
    feMul(S2, S2, S3);                     // N^2 xd0 xd1
    feSq(S1, S1);                          // D^2
    feMul(den, S1, S3);                    // D^2 xd0 xd1
    feMulSmall(S3, S3, J);                 // A xd0 xd1
    feMul(S4, XN0, XD1);
    feAdd(S3, S3, S4);
    feMul(S4, XN1, XD0);
    feAdd(S3, S3, S4);
    feMul(S3, S3, S1);
    feSub(num, S2, S3);
    return 0;
  }
  feSub(S2, YY1, YY0);
  if (!feIsZero(S2)) return 1;             // Q1 = -Q0: the sum is the identity
  // Doubling: lambda = (3 x0^2 + 2 A x0 + 1) / (2 y0) = Nd / Dd with
  // Nd = 3 xn0^2 + 2 A xn0 xd0 + xd0^2, Dd = 2 y0 xd0^2;
  // x = lambda^2 - A - 2 x0 = [Nd^2 xd0 - (A xd0 + 2 xn0) Dd^2] / (Dd^2 xd0).
  feSq(S1, XN0);
  feMulSmall(S1, S1, 3);
  feMul(S2, XN0, XD0);
  feMulSmall(S2, S2, 2 * J);
  feAdd(S1, S1, S2);
  feSq(S2, XD0);
  feAdd(S1, S1, S2);                       // Nd
  feMul(S3, YY0, S2);
  feAdd(S3, S3, S3);                       // Dd
  if (feIsZero(S3)) return 1;              // y0 = 0: a point of order 2, doubled to the identity
  feSq(S3, S3);                            // Dd^2
  feMul(den, S3, XD0);
  feSq(S1, S1);
  feMul(S1, S1, XD0);                      // Nd^2 xd0
  feMulSmall(S2, XD0, J);
  feAdd(S2, S2, XN0);
  feAdd(S2, S2, XN0);
  feMul(S2, S2, S3);
  feSub(num, S1, S2);
  return 0;
}

/** Bytes of scratch `hashToU` and `mapPairsToU` need per element. */
export const WORK_BYTES_PER_ELEMENT: i32 = 3 * <i32>FE_BYTES;

const ACC: usize = memory.data(40, 8);
const INV: usize = memory.data(40, 8);
const T: usize = memory.data(40, 8);

/** Montgomery's batch inversion over the fractions in `work`, writing u = num / den to `out`. */
function finish(n: i32, work: usize, out: usize): void {
  const fe = <usize>FE_BYTES;
  feSmall(ACC, 1);
  for (let i = 0; i < n; i++) {
    const w = work + <usize>i * 3 * fe;
    feCopy(w + 2 * fe, ACC);                 // prefix_i = den_0 ... den_(i-1)
    feMul(ACC, ACC, w + fe);
  }
  feInvert(INV, ACC);                        // 1 / (den_0 ... den_(n-1))
  for (let i = n - 1; i >= 0; i--) {
    const w = work + <usize>i * 3 * fe;
    feMul(T, INV, w + 2 * fe);               // 1 / den_i
    feMul(INV, INV, w + fe);                 // 1 / (den_0 ... den_(i-1))
    feMul(T, T, w);
    feToBytes(out + (<usize>i << 5), T);
  }
}

/**
 * Hashes `n` messages (bytes at `msgs`, message i from offs[i] to offs[i + 1], u32 offsets)
 * and writes u(R_i) as 32 bytes each to `out`. `work` holds WORK_BYTES_PER_ELEMENT × n
 * bytes. Returns 0, or i + 1 if message i hashed to the identity (see mapPairToFraction).
 */
export function hashToU(msgs: usize, offs: usize, n: i32, dstPrime: usize, dstPrimeLen: usize, out: usize, work: usize): i32 {
  init();
  const fe = <usize>FE_BYTES;
  for (let i = 0; i < n; i++) {
    const a = load<u32>(offs + (<usize>i << 2)), b = load<u32>(offs + (<usize>(i + 1) << 2));
    expandMessageXmd(msgs + a, b - a, dstPrime, dstPrimeLen, UNIFORM, 96);
    feFrom48(U0, UNIFORM);                   // hash_to_field(msg, 2): u[0], u[1]
    feFrom48(U1, UNIFORM + 48);
    const w = work + <usize>i * 3 * fe;
    if (mapPairToFraction(w, w + fe)) return i + 1;
  }
  finish(n, work, out);
  return 0;
}

/**
 * The same from field elements (pairs of 32-byte little-endian values at `fes`): for tests,
 * which feed RFC 9380's u[0], u[1] directly and reach the doubling branch with u0 = u1.
 */
export function mapPairsToU(fes: usize, n: i32, out: usize, work: usize): i32 {
  init();
  const fe = <usize>FE_BYTES;
  for (let i = 0; i < n; i++) {
    feFromBytes(U0, fes + (<usize>i << 6));
    feFromBytes(U1, fes + (<usize>i << 6) + 32);
    const w = work + <usize>i * 3 * fe;
    if (mapPairToFraction(w, w + fe)) return i + 1;
  }
  finish(n, work, out);
  return 0;
}

/** The field elements hash_to_field(msg, 2) of one message, 2 × 32 bytes little-endian (for tests). */
export function hashToField(msg: usize, msgLen: usize, dstPrime: usize, dstPrimeLen: usize, out: usize): void {
  expandMessageXmd(msg, msgLen, dstPrime, dstPrimeLen, UNIFORM, 96);
  feFrom48(U0, UNIFORM);
  feFrom48(U1, UNIFORM + 48);
  feToBytes(out, U0);
  feToBytes(out + 32, U1);
}

/** Where free memory starts (after the kernel's static data). */
export function heapBase(): usize {
  return __heap_base;
}
