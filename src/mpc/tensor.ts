/**
 * A secret-shared tensor as one party holds it: a public shape and dtype, and this party's
 * parts (see `protocol.ts`). `fxp` tensors carry reals in fixed point with the session's
 * fractional bits; `int` tensors carry integers (counts, balances in cents, 0/1 results of
 * comparisons). The dtype decides whether a product needs truncation.
 */
import type { Parts } from './protocol.js';

export type DType = 'fxp' | 'int';
export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`invalid shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

export class SecretTensor {
  readonly shape: Shape;
  readonly dtype: DType;
  /** This party's share (empty at a member that does not compute). */
  readonly parts: Parts;

  constructor(shape: Shape, dtype: DType, parts: Parts) {
    this.shape = shape.slice();
    this.dtype = dtype;
    this.parts = parts;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  /** Same shares, another shape of the same size. */
  reshape(shape: Shape): SecretTensor {
    if (sizeOf(shape) !== this.size) throw new RangeError(`cannot reshape [${this.shape}] to [${shape}]`);
    return new SecretTensor(shape, this.dtype, this.parts);
  }

  toString(): string {
    return `SecretTensor(${this.dtype}[${this.shape.join('x')}])`;
  }
}
