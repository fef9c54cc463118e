/**
 * Row alignment for vertical learning: after PSI, every party orders its rows by the
 * intersection, so that row k at every institution describes the same person, and the
 * columns can be fed to the MPC engine side by side (vertical logistic regression).
 *
 * The order is the intersection's: ids sorted by UTF-8 bytes (`compareIds`), which every
 * receiver gets identically from `runPsi`. A row whose id is not in the intersection is
 * left out; an id of the intersection with no row, or with several rows, is an error unless
 * `duplicates: 'first'` says which row to keep — silently picking one of two different
 * records for the same person would corrupt the training set.
 */
import { PsiUsageError } from './errors.js';

export interface AlignOptions {
  /** What to do when several rows carry the same id: fail (default) or keep the first. */
  duplicates?: 'error' | 'first';
}

/** For each id of `intersection`, the index of its row in `ids`. */
export function intersectionIndices(ids: readonly string[], intersection: readonly string[], opts: AlignOptions = {}): Int32Array {
  const wanted = new Map<string, number>();
  for (let k = 0; k < intersection.length; k++) wanted.set(intersection[k]!, -1);
  if (wanted.size !== intersection.length) throw new PsiUsageError('the intersection lists an id twice');
  for (let i = 0; i < ids.length; i++) {
    const at = wanted.get(ids[i]!);
    if (at === undefined) continue;
    if (at >= 0) {
      if (opts.duplicates === 'first') continue;
      throw new PsiUsageError('two rows have the same id', { details: `rows ${at} and ${i}`, hint: "Deduplicate the rows first, or pass { duplicates: 'first' }." });
    }
    wanted.set(ids[i]!, i);
  }
  const out = new Int32Array(intersection.length);
  for (let k = 0; k < intersection.length; k++) {
    const i = wanted.get(intersection[k]!)!;
    if (i < 0) throw new PsiUsageError('an id of the intersection has no row here', { details: `intersection[${k}]`, hint: 'Align with the intersection computed from these same rows.' });
    out[k] = i;
  }
  return out;
}

/**
 * The rows whose ids are in `intersection`, in the intersection's order.
 * @example
 * ```ts
 * const { intersection } = await runPsi(net, { parties, receivers: parties, ids: rows.map((r) => r.customerId) });
 * const aligned = alignByIntersection(rows, 'customerId', intersection!);
 * ```
 */
export function alignByIntersection<T>(
  rows: readonly T[],
  idColumn: keyof T | ((row: T) => string),
  intersection: readonly string[],
  opts: AlignOptions = {},
): T[] {
  const idOf = typeof idColumn === 'function' ? idColumn : (row: T) => row[idColumn] as unknown;
  const ids = rows.map((row, i) => {
    const id = idOf(row);
    if (typeof id !== 'string') throw new PsiUsageError('a row has no string id in the id column', { details: `row ${i}` });
    return id;
  });
  return Array.from(intersectionIndices(ids, intersection, opts), (i) => rows[i]!);
}
