/**
 * Agreement checks on the operands of a two-tensor operation: same shape, same dtype, and
 * which dtype a product has (fxp · fxp is truncated back to the session's fractional bits;
 * a product with an int factor is not). Every elementwise operation of the engine asks these
 * before it spends a round, so a program's mistake is a clear `MpcUsageError`, not garbage.
 */
import type { DType, SecretTensor } from './tensor.js';
import { MpcUsageError } from './usage-error.js';

export function assertSameShape(x: SecretTensor, y: SecretTensor, op: string): void {
  if (x.size !== y.size || x.shape.length !== y.shape.length || x.shape.some((d, i) => d !== y.shape[i])) {
    throw new MpcUsageError(`${op}: shapes [${x.shape}] and [${y.shape}] differ`);
  }
}

export function commonDtype(x: SecretTensor, y: SecretTensor, op: string): DType {
  if (x.dtype !== y.dtype) throw new MpcUsageError(`${op}: dtypes ${x.dtype} and ${y.dtype} differ`, { hint: 'Convert with toFxp() first.' });
  return x.dtype;
}

export function productDtype(x: SecretTensor, y: SecretTensor): { dtype: DType; trunc: boolean } {
  if (x.dtype === 'fxp' && y.dtype === 'fxp') return { dtype: 'fxp', trunc: true };
  return { dtype: x.dtype === 'int' && y.dtype === 'int' ? 'int' : 'fxp', trunc: false };
}
