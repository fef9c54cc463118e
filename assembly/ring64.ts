// Ring Z_2^64 kernels for the MPC engine, compiled to WebAssembly (SIMD) by AssemblyScript.
//
// Why WebAssembly: a u64 product through a BigUint64Array in JavaScript runs at ~0.3 G/s on
// this machine, the same loop here with i64x2 lanes at ~1.5 G/s. Every kernel works on raw
// pointers into the engine's scratch memory; the JavaScript bridge (src/crypto/ring64.ts)
// streams tensors through it in cache-sized chunks, so kernels never allocate.
//
// All arithmetic wraps mod 2^64, which is exactly the ring the shares live in. Counts `n`
// are in elements (8 bytes); callers pad nothing: an odd tail is done with scalar code.

@inline function vecEnd(n: i32): i32 { return n & ~1; }

export function add(out: usize, a: usize, b: usize, n: i32): void {
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, i64x2.add(v128.load(a + o), v128.load(b + o)));
  }
  if (m < n) { const o = <usize>m << 3; store<u64>(out + o, load<u64>(a + o) + load<u64>(b + o)); }
}

export function sub(out: usize, a: usize, b: usize, n: i32): void {
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, i64x2.sub(v128.load(a + o), v128.load(b + o)));
  }
  if (m < n) { const o = <usize>m << 3; store<u64>(out + o, load<u64>(a + o) - load<u64>(b + o)); }
}

export function neg(out: usize, a: usize, n: i32): void {
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, i64x2.neg(v128.load(a + o)));
  }
  if (m < n) { const o = <usize>m << 3; store<u64>(out + o, 0 - load<u64>(a + o)); }
}

/** Elementwise product. */
export function mul(out: usize, a: usize, b: usize, n: i32): void {
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, i64x2.mul(v128.load(a + o), v128.load(b + o)));
  }
  if (m < n) { const o = <usize>m << 3; store<u64>(out + o, load<u64>(a + o) * load<u64>(b + o)); }
}

/** out = a * s for a public scalar s. */
export function mulScalar(out: usize, a: usize, s: u64, n: i32): void {
  const vs = i64x2.splat(s);
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, i64x2.mul(v128.load(a + o), vs));
  }
  if (m < n) { const o = <usize>m << 3; store<u64>(out + o, load<u64>(a + o) * s); }
}

/** out = a + s for a public scalar s. */
export function addScalar(out: usize, a: usize, s: u64, n: i32): void {
  const vs = i64x2.splat(s);
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, i64x2.add(v128.load(a + o), vs));
  }
  if (m < n) { const o = <usize>m << 3; store<u64>(out + o, load<u64>(a + o) + s); }
}

export function xor(out: usize, a: usize, b: usize, n: i32): void {
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, v128.xor(v128.load(a + o), v128.load(b + o)));
  }
  if (m < n) { const o = <usize>m << 3; store<u64>(out + o, load<u64>(a + o) ^ load<u64>(b + o)); }
}

export function and(out: usize, a: usize, b: usize, n: i32): void {
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, v128.and(v128.load(a + o), v128.load(b + o)));
  }
  if (m < n) { const o = <usize>m << 3; store<u64>(out + o, load<u64>(a + o) & load<u64>(b + o)); }
}

/** out = a & s for a public mask s. */
export function andScalar(out: usize, a: usize, s: u64, n: i32): void {
  const vs = i64x2.splat(s);
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, v128.and(v128.load(a + o), vs));
  }
  if (m < n) { const o = <usize>m << 3; store<u64>(out + o, load<u64>(a + o) & s); }
}

/** out = a ^ s for a public mask s. */
export function xorScalar(out: usize, a: usize, s: u64, n: i32): void {
  const vs = i64x2.splat(s);
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, v128.xor(v128.load(a + o), vs));
  }
  if (m < n) { const o = <usize>m << 3; store<u64>(out + o, load<u64>(a + o) ^ s); }
}

export function shl(out: usize, a: usize, s: i32, n: i32): void {
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, i64x2.shl(v128.load(a + o), s));
  }
  if (m < n) { const o = <usize>m << 3; store<u64>(out + o, load<u64>(a + o) << <u64>s); }
}

/** Logical right shift. */
export function shrl(out: usize, a: usize, s: i32, n: i32): void {
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, i64x2.shr_u(v128.load(a + o), s));
  }
  if (m < n) { const o = <usize>m << 3; store<u64>(out + o, load<u64>(a + o) >> <u64>s); }
}

/** Arithmetic right shift (two's complement). */
export function shra(out: usize, a: usize, s: i32, n: i32): void {
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    v128.store(out + o, i64x2.shr_s(v128.load(a + o), s));
  }
  if (m < n) { const o = <usize>m << 3; store<i64>(out + o, load<i64>(a + o) >> <i64>s); }
}

/**
 * Replicated (rep3) product, local part (Araki et al. CCS 2016, §2.2):
 * z_i = x_i·y_i + x_i·y_{i+1} + x_{i+1}·y_i + (p0 − p1), where p0 − p1 is this party's
 * part of a zero-sharing drawn from the two PRG streams it shares with its neighbours.
 */
export function rep3Mul(out: usize, x0: usize, x1: usize, y0: usize, y1: usize, p0: usize, p1: usize, n: i32): void {
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    const a0 = v128.load(x0 + o), a1 = v128.load(x1 + o), b0 = v128.load(y0 + o), b1 = v128.load(y1 + o);
    const z = i64x2.add(i64x2.mul(a0, i64x2.add(b0, b1)), i64x2.mul(a1, b0));
    v128.store(out + o, i64x2.add(z, i64x2.sub(v128.load(p0 + o), v128.load(p1 + o))));
  }
  if (m < n) {
    const o = <usize>m << 3;
    const a0 = load<u64>(x0 + o), a1 = load<u64>(x1 + o), b0 = load<u64>(y0 + o), b1 = load<u64>(y1 + o);
    store<u64>(out + o, a0 * (b0 + b1) + a1 * b0 + load<u64>(p0 + o) - load<u64>(p1 + o));
  }
}

/** Replicated AND on 64-bit words, local part: the XOR analogue of rep3Mul. */
export function rep3And(out: usize, x0: usize, x1: usize, y0: usize, y1: usize, p0: usize, p1: usize, n: i32): void {
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    const a0 = v128.load(x0 + o), a1 = v128.load(x1 + o), b0 = v128.load(y0 + o), b1 = v128.load(y1 + o);
    const z = v128.xor(v128.and(a0, v128.xor(b0, b1)), v128.and(a1, b0));
    v128.store(out + o, v128.xor(z, v128.xor(v128.load(p0 + o), v128.load(p1 + o))));
  }
  if (m < n) {
    const o = <usize>m << 3;
    const a0 = load<u64>(x0 + o), a1 = load<u64>(x1 + o), b0 = load<u64>(y0 + o), b1 = load<u64>(y1 + o);
    store<u64>(out + o, (a0 & (b0 ^ b1)) ^ (a1 & b0) ^ load<u64>(p0 + o) ^ load<u64>(p1 + o));
  }
}

/**
 * Beaver product from opened d = x − a, e = y − b (Beaver, CRYPTO 1991):
 * z = c + d·b + e·a, plus d·e at exactly one party (`withDE` = 1).
 */
export function beaverMul(out: usize, c: usize, a: usize, b: usize, d: usize, e: usize, withDE: i32, n: i32): void {
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    const dv = v128.load(d + o), ev = v128.load(e + o);
    let z = i64x2.add(v128.load(c + o), i64x2.add(i64x2.mul(dv, v128.load(b + o)), i64x2.mul(ev, v128.load(a + o))));
    if (withDE) z = i64x2.add(z, i64x2.mul(dv, ev));
    v128.store(out + o, z);
  }
  if (m < n) {
    const o = <usize>m << 3;
    const dv = load<u64>(d + o), ev = load<u64>(e + o);
    let z = load<u64>(c + o) + dv * load<u64>(b + o) + ev * load<u64>(a + o);
    if (withDE) z += dv * ev;
    store<u64>(out + o, z);
  }
}

/** The boolean (word-wise AND) analogue of beaverMul. */
export function beaverAnd(out: usize, c: usize, a: usize, b: usize, d: usize, e: usize, withDE: i32, n: i32): void {
  const m = vecEnd(n);
  for (let i = 0; i < m; i += 2) {
    const o = <usize>i << 3;
    const dv = v128.load(d + o), ev = v128.load(e + o);
    let z = v128.xor(v128.load(c + o), v128.xor(v128.and(dv, v128.load(b + o)), v128.and(ev, v128.load(a + o))));
    if (withDE) z = v128.xor(z, v128.and(dv, ev));
    v128.store(out + o, z);
  }
  if (m < n) {
    const o = <usize>m << 3;
    const dv = load<u64>(d + o), ev = load<u64>(e + o);
    let z = load<u64>(c + o) ^ (dv & load<u64>(b + o)) ^ (ev & load<u64>(a + o));
    if (withDE) z ^= dv & ev;
    store<u64>(out + o, z);
  }
}

/**
 * C (m×n) += A (m×k) · B (k×n), row-major. The inner loop runs along a row of B so that
 * two columns go through one i64x2 lane pair; for n = 1 (matrix-vector) a dot-product loop
 * over k with two accumulators is used instead.
 */
export function matmulAcc(C: usize, A: usize, B: usize, m: i32, k: i32, n: i32): void {
  if (n == 1) {
    for (let i = 0; i < m; i++) {
      const row = A + ((<usize>i * <usize>k) << 3);
      let acc = i64x2.splat(0);
      const kv = k & ~1;
      for (let t = 0; t < kv; t += 2) {
        const o = <usize>t << 3;
        acc = i64x2.add(acc, i64x2.mul(v128.load(row + o), v128.load(B + o)));
      }
      let s = i64x2.extract_lane(acc, 0) + i64x2.extract_lane(acc, 1);
      if (kv < k) { const o = <usize>kv << 3; s += load<u64>(row + o) * load<u64>(B + o); }
      const co = C + (<usize>i << 3);
      store<u64>(co, load<u64>(co) + s);
    }
    return;
  }
  const nv = n & ~1;
  for (let i = 0; i < m; i++) {
    const crow = C + ((<usize>i * <usize>n) << 3);
    const arow = A + ((<usize>i * <usize>k) << 3);
    for (let t = 0; t < k; t++) {
      const a = load<u64>(arow + (<usize>t << 3));
      const av = i64x2.splat(a);
      const brow = B + ((<usize>t * <usize>n) << 3);
      for (let j = 0; j < nv; j += 2) {
        const o = <usize>j << 3;
        v128.store(crow + o, i64x2.add(v128.load(crow + o), i64x2.mul(av, v128.load(brow + o))));
      }
      if (nv < n) { const o = <usize>nv << 3; store<u64>(crow + o, load<u64>(crow + o) + a * load<u64>(brow + o)); }
    }
  }
}

/**
 * One party's additive share of a truncation with exact sign (Dalskov, Escudero, Keller
 * 2020), fused into one pass: with c public, c63 = c >> 63,
 *   b = rb + c63 − 2·c63·rb      (c63 added by the leader only)
 *   y = b·2^(63−d) − rc [+ ((c << 1) >> (1 + d)) − 2^(62−d) at the leader].
 */
export function truncShare(out: usize, c: usize, rb: usize, rc: usize, d: i32, leader: i32, n: i32): void {
  const sh = <u64>(63 - d);
  const off = (<u64>1) << <u64>(62 - d);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    const cv = load<u64>(c + o);
    const c63 = cv >> 63;
    const rbv = load<u64>(rb + o);
    let b = rbv - ((c63 * rbv) << 1);
    let y: u64;
    if (leader) {
      b += c63;
      y = (b << sh) - load<u64>(rc + o) + ((cv << 1) >> <u64>(1 + d)) - off;
    } else {
      y = (b << sh) - load<u64>(rc + o);
    }
    store<u64>(out + o, y);
  }
}
