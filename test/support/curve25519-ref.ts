// A slow, obviously-correct BigInt model of Curve25519's Montgomery form (RFC 7748 §4.1:
// v^2 = u^3 + A u^2 + u over GF(2^255 - 19)), for checking the fast kernels in tests.
export const P = 2n ** 255n - 19n;
export const A = 486662n;

export const mod = (x: bigint): bigint => ((x % P) + P) % P;
export function pow(b: bigint, e: bigint): bigint {
  let r = 1n;
  b = mod(b);
  while (e > 0n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return r;
}
export const inv = (x: bigint): bigint => pow(x, P - 2n);

/** Big-endian hex (as RFC 9380 prints coordinates) to bigint. */
export const fromHex = (h: string): bigint => BigInt('0x' + h);
/** 32 bytes little-endian (RFC 7748 encoding) to bigint. */
export function fromLE(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
  return x;
}
export function toLE(x: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

/** u(2Q) from u(Q) (x-only doubling). */
export function xdbl(u: bigint): bigint {
  const t = (u * u) % P;
  return mod((t - 1n) * (t - 1n) * inv(4n * u * mod(t + A * u + 1n)));
}

/** u(8Q): the cofactor clearing of RFC 9380 §7 for curve25519 (h_eff = 8), x-only. */
export const times8 = (u: bigint): bigint => xdbl(xdbl(xdbl(u)));

/** u-coordinate of the affine sum of two points (x, y) (chord, or tangent when equal). */
export function addU(x0: bigint, y0: bigint, x1: bigint, y1: bigint): bigint {
  const l = x0 === x1 ? mod((3n * x0 * x0 + 2n * A * x0 + 1n) * inv(2n * y0)) : mod((y1 - y0) * inv(x1 - x0));
  return mod(l * l - A - x0 - x1);
}

/** Edwards y to Montgomery u (the birational map of RFC 7748 §4.1: u = (1 + y) / (1 - y)). */
export const edwardsYToU = (y: bigint): bigint => mod((1n + y) * inv(1n - y));
