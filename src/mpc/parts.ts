/**
 * Linear maps on shares, applied part by part. For both replicated and additive sharing,
 * any map that is linear over Z_2^64 (add, subtract, negate, multiply by a public value)
 * or over GF(2)^64 (XOR, AND with a public mask, shifts) is computed locally on each part;
 * these helpers are therefore protocol-independent.
 */
import * as R from '../crypto/ring64.js';
import type { Parts } from './protocol.js';

const fresh = (n: number) => new BigUint64Array(n);

export function addParts(x: Parts, y: Parts): Parts {
  return x.map((p, i) => R.add(R.uninit(p.length), p, y[i]!));
}
export function subParts(x: Parts, y: Parts): Parts {
  return x.map((p, i) => R.sub(R.uninit(p.length), p, y[i]!));
}
export function negParts(x: Parts): Parts {
  return x.map((p) => R.neg(R.uninit(p.length), p));
}
/** x · c for a public scalar or a public value per element. */
export function mulPublicParts(x: Parts, c: bigint | BigUint64Array): Parts {
  return x.map((p) => (typeof c === 'bigint' ? R.mulScalar(R.uninit(p.length), p, c) : R.mul(R.uninit(p.length), p, c)));
}
export function xorParts(x: Parts, y: Parts): Parts {
  return x.map((p, i) => R.xor(R.uninit(p.length), p, y[i]!));
}
export function andPublicParts(x: Parts, c: bigint | BigUint64Array): Parts {
  return x.map((p) => (typeof c === 'bigint' ? R.andScalar(R.uninit(p.length), p, c) : R.and(R.uninit(p.length), p, c)));
}
export function shlParts(x: Parts, s: number): Parts {
  return x.map((p) => R.shl(R.uninit(p.length), p, s));
}
export function shrlParts(x: Parts, s: number): Parts {
  return x.map((p) => R.shrl(R.uninit(p.length), p, s));
}
/** Concatenates several tensors' shares part by part (to batch them into one round). */
export function concatParts(...xs: Parts[]): Parts {
  if (xs.length === 0) return [];
  const k = xs[0]!.length;
  const out: Parts = [];
  for (let j = 0; j < k; j++) {
    const total = xs.reduce((s, x) => s + x[j]!.length, 0);
    const buf = fresh(total);
    let off = 0;
    for (const x of xs) {
      buf.set(x[j]!, off);
      off += x[j]!.length;
    }
    out.push(buf);
  }
  return out;
}
/** Splits concatenated shares back into pieces of the given lengths. */
export function splitParts(x: Parts, lengths: number[]): Parts[] {
  const out: Parts[] = lengths.map(() => []);
  for (const p of x) {
    let off = 0;
    lengths.forEach((len, i) => {
      out[i]!.push(p.subarray(off, off + len));
      off += len;
    });
  }
  return out;
}
/**
 * Selects elements by index (gather), part by part. Elements move as two u32 halves: a
 * BigUint64Array element read would make a BigInt per element.
 */
export function gatherParts(x: Parts, idx: ArrayLike<number>): Parts {
  return x.map((p) => {
    const out = R.uninit(idx.length);
    const src = new Uint32Array(p.buffer, p.byteOffset, 2 * p.length);
    const dst = new Uint32Array(out.buffer, out.byteOffset, 2 * idx.length);
    for (let i = 0; i < idx.length; i++) {
      const j = idx[i]! * 2;
      dst[2 * i] = src[j]!;
      dst[2 * i + 1] = src[j + 1]!;
    }
    return out;
  });
}

/** x[a[i]] − x[b[i]] for i < m, part by part (one pass on u32 halves, no BigInt). */
export function gatherDiffParts(x: Parts, a: ArrayLike<number>, b: ArrayLike<number>, m: number): Parts {
  return x.map((p) => {
    const out = R.uninit(m);
    const src = new Uint32Array(p.buffer, p.byteOffset, 2 * p.length);
    const dst = new Uint32Array(out.buffer, out.byteOffset, 2 * m);
    for (let i = 0; i < m; i++) {
      const j = a[i]! * 2, k = b[i]! * 2;
      const lo = src[j]! - src[k]!;
      dst[2 * i] = lo;
      dst[2 * i + 1] = src[j + 1]! - src[k + 1]! - (lo < 0 ? 1 : 0);
    }
    return out;
  });
}

/** out[idx[i]] = x[i] (scatter), part by part, into `out` (same number of parts). */
export function scatterInto(out: Parts, x: Parts, idx: ArrayLike<number>): void {
  out.forEach((o, j) => {
    const src = new Uint32Array(x[j]!.buffer, x[j]!.byteOffset, 2 * x[j]!.length);
    const dst = new Uint32Array(o.buffer, o.byteOffset, 2 * o.length);
    for (let i = 0; i < idx.length; i++) {
      const t = idx[i]! * 2;
      dst[t] = src[2 * i]!;
      dst[t + 1] = src[2 * i + 1]!;
    }
  });
}
