/**
 * Local tensor layout: sums, transposes, row selection, concatenation and splitting. Each
 * is a linear map applied to every part of a share, so it costs no communication and is the
 * same for every protocol; the engine exposes them as `Mpc` methods so that programs see
 * one API. Contiguous row ranges are views, not copies (training batches take them often).
 */
import * as R from '../crypto/ring64.js';
import { concatParts, gatherParts, splitParts } from './parts.js';
import { SecretTensor, sizeOf, type Shape } from './tensor.js';
import { MpcUsageError } from './usage-error.js';

/** Sum of all elements, or along an axis of a 2-D tensor. */
export function sum(x: SecretTensor, axis?: 0 | 1): SecretTensor {
  if (axis === undefined) {
    return new SecretTensor([1], x.dtype, x.parts.map((p) => sumRing(p)));
  }
  if (x.shape.length !== 2) throw new MpcUsageError('sum along an axis needs a 2-D tensor');
  const [m, n] = x.shape as [number, number];
  if (axis === 0) {
    const ones = new BigUint64Array(m).fill(1n);
    return new SecretTensor([n], x.dtype, x.parts.map((p) => R.matmul(new BigUint64Array(n), ones, p, 1, m, n)));
  }
  const ones = new BigUint64Array(n).fill(1n);
  return new SecretTensor([m], x.dtype, x.parts.map((p) => R.matmul(new BigUint64Array(m), p, ones, m, n, 1)));
}

function sumRing(p: BigUint64Array): BigUint64Array {
  const ones = new BigUint64Array(p.length).fill(1n);
  return R.matmul(new BigUint64Array(1), p, ones, 1, p.length, 1);
}

/** Transpose of a 2-D tensor. */
export function transpose(x: SecretTensor): SecretTensor {
  if (x.shape.length !== 2) throw new MpcUsageError('transpose needs a 2-D tensor');
  const [m, n] = x.shape as [number, number];
  return new SecretTensor([n, m], x.dtype, x.parts.map((p) => R.transpose(p, m, n)));
}

/** Rows `idx` of a tensor whose first axis is rows. */
export function rows(x: SecretTensor, idx: ArrayLike<number>): SecretTensor {
  const width = x.shape.length > 1 ? x.size / x.shape[0]! : 1;
  // A contiguous range is a view (no copy): training batches.
  const first = idx[0];
  if (first !== undefined && idx[idx.length - 1] === first + idx.length - 1 && first >= 0 && first + idx.length <= (x.shape[0] ?? 0)) {
    let contiguous = true;
    for (let i = 1; i < idx.length && contiguous; i++) contiguous = idx[i] === first + i;
    if (contiguous) {
      return new SecretTensor([idx.length, ...x.shape.slice(1)], x.dtype, x.parts.map((p) => p.subarray(first * width, (first + idx.length) * width)));
    }
  }
  const flat = new Int32Array(idx.length * width);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    if (!(r >= 0 && r < (x.shape[0] ?? 0))) throw new MpcUsageError(`row ${r} out of range`);
    for (let j = 0; j < width; j++) flat[i * width + j] = r * width + j;
  }
  return new SecretTensor([idx.length, ...x.shape.slice(1)], x.dtype, gatherParts(x.parts, flat));
}

/** Concatenates 2-D tensors along columns (same rows). */
export function hconcat(xs: SecretTensor[]): SecretTensor {
  const m = xs[0]!.shape[0]!;
  const widths = xs.map((x) => (x.shape.length > 1 ? x.shape[1]! : 1));
  const total = widths.reduce((a, b) => a + b, 0);
  const dtype = xs[0]!.dtype;
  for (const x of xs) {
    if (x.shape[0] !== m) throw new MpcUsageError('hconcat: row counts differ');
    if (x.dtype !== dtype) throw new MpcUsageError('hconcat: dtypes differ');
  }
  const parts = xs[0]!.parts.map((_, j) => {
    const out = new BigUint64Array(m * total);
    let col = 0;
    xs.forEach((x, t) => {
      const w = widths[t]!;
      const p = x.parts[j]!;
      for (let i = 0; i < m; i++) out.set(p.subarray(i * w, (i + 1) * w), i * total + col);
      col += w;
    });
    return out;
  });
  return new SecretTensor([m, total], dtype, parts);
}

/** Flat concatenation (e.g. to batch several tensors into one round). */
export function concat(xs: SecretTensor[]): SecretTensor {
  const dtype = xs[0]!.dtype;
  if (xs.some((x) => x.dtype !== dtype)) throw new MpcUsageError('concat: dtypes differ');
  const n = xs.reduce((s, x) => s + x.size, 0);
  return new SecretTensor([n], dtype, concatParts(...xs.map((x) => x.parts)));
}

/** Splits a flat tensor into pieces shaped like `shapes`. */
export function split(x: SecretTensor, shapes: Shape[]): SecretTensor[] {
  const lens = shapes.map(sizeOf);
  if (lens.reduce((a, b) => a + b, 0) !== x.size) throw new MpcUsageError('split: sizes do not add up');
  return splitParts(x.parts, lens).map((p, i) => new SecretTensor(shapes[i]!, x.dtype, p));
}
