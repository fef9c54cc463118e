/**
 * The plaintext view of a vertical split: two institutions' tables joined on their common
 * ids, in the order PSI alignment gives (ids sorted by UTF-8 bytes), the guest's features
 * first. Only for references (tests, benchmarks, the sandbox, which hold all the demo
 * data); the programs themselves never see another party's rows.
 */
import type { Table } from '../../data/csv.js';
import { selectColumns } from '../../data/csv.js';
import { compareIds } from '../../psi/ids.js';

export interface VerticalJoin {
  ids: string[];
  /** rows × d, row-major: guest features, then host features. */
  X: Float64Array;
  /** The guest's labels. */
  y: Float64Array;
  d: number;
  columns: string[];
}

export function joinVertical(guest: Table, host: Table, labelColumn: string): VerticalJoin {
  const gRow = new Map(guest.ids.map((id, i) => [id, i]));
  const hRow = new Map(host.ids.map((id, i) => [id, i]));
  const ids = [...new Set(guest.ids.filter((id) => hRow.has(id)))].sort(compareIds);
  const gCols = guest.columns.filter((c) => c !== labelColumn);
  const dg = gCols.length, dh = host.columns.length, d = dg + dh;
  const gX = selectColumns(guest, gCols), gY = selectColumns(guest, [labelColumn]), hX = selectColumns(host, host.columns);
  const X = new Float64Array(ids.length * d), y = new Float64Array(ids.length);
  ids.forEach((id, r) => {
    const gi = gRow.get(id)!, hi = hRow.get(id)!;
    X.set(gX.subarray(gi * dg, (gi + 1) * dg), r * d);
    X.set(hX.subarray(hi * dh, (hi + 1) * dh), r * d + dg);
    y[r] = gY[gi]!;
  });
  return { ids, X, y, d, columns: [...gCols.map((c) => `guest.${c}`), ...host.columns.map((c) => `host.${c}`)] };
}
