/**
 * A data party's own checks and preparation of the columns it brings, before anything is
 * secret-shared: values within the fixed-point range, 0/1 labels with both classes, and
 * local scaling of features.
 *
 * Scaling: each feature owner centres each of its columns on its mean over the aligned
 * rows and divides by 2^e, e = round(log2(standard deviation)), so every column enters
 * the MPC with mean 0 and a spread in [0.7, 1.4]: fixed-point products then cannot
 * silently wrap (SecureML's fixed-point analysis, Mohassel & Zhang, S&P 2017, §4.1, assumes
 * bounded inputs), and gradient descent sees well-conditioned features. The divisor is a
 * power of two so that the model can be reported on the original scale exactly: the
 * exponent e is public (announced to the session, it says only the column's order of
 * magnitude), the mean stays with its owner and enters the MPC only as the secret offset
 * mean/2^e that moves the intercept back.
 *
 * Messages: the short message (which a party's peers and the node API may see) names the
 * column and the bound only; the file, line and row go in `details`, shown only to the
 * party that owns the file (`tacit run` prints them; peers get the short message only).
 */
import type { Table } from '../../data/csv.js';
import { ProgramError } from '../program.js';

/** |value| bound for anything a party feeds into the fixed-point engine (after scaling). */
export const DEFAULT_MAX_ABS_INPUT = 4096;

/** Where row `r` of `table` is, for the file's owner only. */
export function whereIs(table: Table, row: number, column: string): string {
  const src = table.source ?? 'the local dataset';
  return table.lines ? `${src}, column "${column}", line ${table.lines[row]}` : `${src}, column "${column}", data row ${row + 1}`;
}

function columnIndex(table: Table, column: string): number {
  const j = table.columns.indexOf(column);
  if (j < 0) throw new ProgramError(`no column "${column}" in this party's dataset`);
  return j;
}

export interface ScaledColumns {
  /** rows × columns, row-major, centred and divided by 2^exponent (or as given when not scaling). */
  values: Float64Array;
  /** Per column: round(log2(std)) (0 when not scaling or the column is constant). */
  exponents: number[];
  /** Per column: mean/2^exponent, the offset that moves the intercept back (0 when not scaling). */
  offsets: number[];
}

/**
 * This party's columns of the given rows, scaled (or not) and range-checked. Throws a
 * ProgramError naming the column (and, in details, the file and line) for a value that
 * would not fit the fixed-point range.
 */
export function prepareColumns(table: Table, rows: Int32Array, columns: string[], opts: { scale: boolean; maxAbs: number }): ScaledColumns {
  const w = table.columns.length;
  const d = columns.length;
  const n = rows.length;
  const values = new Float64Array(n * d);
  const exponents: number[] = [];
  const offsets: number[] = [];
  for (let k = 0; k < d; k++) {
    const j = columnIndex(table, columns[k]!);
    let mean = 0;
    let exponent = 0;
    if (opts.scale && n > 0) {
      let s = 0;
      for (let r = 0; r < n; r++) s += table.values[rows[r]! * w + j]!;
      mean = s / n;
      let v = 0;
      for (let r = 0; r < n; r++) {
        const t = table.values[rows[r]! * w + j]! - mean;
        v += t * t;
      }
      const std = Math.sqrt(v / n);
      // A constant column carries no signal; its scale is its own size, so the offset stays small.
      exponent = (std > 0 ? Math.round(Math.log2(std)) : mean !== 0 ? Math.round(Math.log2(Math.abs(mean))) : 0) + 0; // + 0: no −0
    }
    const div = 2 ** exponent;
    for (let r = 0; r < n; r++) {
      const x = (table.values[rows[r]! * w + j]! - mean) / div;
      if (!(Math.abs(x) <= opts.maxAbs)) {
        throw new ProgramError(
          `column "${columns[k]}" has a value outside the fixed-point range (|value${opts.scale ? ' after centring and scaling' : ''}| must be ≤ ${opts.maxAbs})`,
          {
            details: whereIs(table, rows[r]!, columns[k]!),
            hint: opts.scale ? 'An extreme outlier: cap or transform the column (e.g. log) before importing.' : 'Scale the column (or let the program scale it) before training.',
          },
        );
      }
      values[r * d + k] = x;
    }
    const offset = mean / div;
    if (!(Math.abs(offset) <= opts.maxAbs)) {
      throw new ProgramError(`column "${columns[k]}" has a mean more than ${opts.maxAbs} times its spread: the intercept correction would leave the fixed-point range`, {
        hint: 'Subtract a constant from the column (e.g. a base year) before importing.',
      });
    }
    exponents.push(exponent);
    offsets.push(offset);
  }
  return { values, exponents, offsets };
}

/** Raw values within ±maxAbs (for columns that are fed in unscaled, e.g. at prediction). */
export function checkRange(table: Table, rows: Int32Array, columns: string[], maxAbs: number, divisors?: number[]): void {
  const w = table.columns.length;
  columns.forEach((c, k) => {
    const j = columnIndex(table, c);
    const div = divisors?.[k] ?? 1;
    for (let r = 0; r < rows.length; r++) {
      if (rows[r]! < 0) continue;
      const x = table.values[rows[r]! * w + j]! / div;
      if (!(Math.abs(x) <= maxAbs)) {
        throw new ProgramError(`column "${c}" has a value outside the fixed-point range (|value| must be ≤ ${maxAbs}${div !== 1 ? ' after scaling' : ''})`, {
          details: whereIs(table, rows[r]!, c),
        });
      }
    }
  });
}

/** The label column of the given rows as 0/1, refusing other values and a single class. */
export function prepareLabels(table: Table, rows: Int32Array, column: string): Float64Array {
  const w = table.columns.length;
  const j = columnIndex(table, column);
  const y = new Float64Array(rows.length);
  let ones = 0;
  for (let r = 0; r < rows.length; r++) {
    const v = table.values[rows[r]! * w + j]!;
    if (v !== 0 && v !== 1) {
      throw new ProgramError(`the label column "${column}" has a value that is not 0 or 1`, {
        details: whereIs(table, rows[r]!, column),
        hint: 'Binary logistic regression needs 0/1 labels.',
      });
    }
    y[r] = v;
    ones += v;
  }
  if (rows.length > 0 && (ones === 0 || ones === rows.length)) {
    throw new ProgramError(`the label column "${column}" has only one class over the aligned rows: there is nothing to learn`, {
      details: `every aligned label is ${ones === 0 ? '0' : '1'}`,
      hint: 'Training needs rows of both classes.',
    });
  }
  return y;
}
