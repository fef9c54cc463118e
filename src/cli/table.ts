/** Plain-text tables and key/value lists for the CLI's human output (`--json` gives the data). */

/** Columns padded to their widest cell, two spaces apart. */
export function formatTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[fmt(head), ...rows.map(fmt)].join('\n')}\n`;
}

/** One `key: value` line per field; nested values as compact JSON. */
export function formatFields(o: Record<string, unknown>, indent = ''): string {
  const width = Math.max(0, ...Object.keys(o).map((k) => k.length));
  return Object.entries(o)
    .map(([k, v]) => `${indent}${`${k}:`.padEnd(width + 1)} ${typeof v === 'object' && v !== null ? JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) : String(v)}`)
    .join('\n') + '\n';
}
