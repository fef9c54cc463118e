/** Formatting shared by the pages: token amounts (18 decimals), addresses, times. */
const UNIT = 10n ** 18n;

/** Base units (decimal string) → "12.5" payment tokens. */
export function tokens(base: string | null | undefined): string {
  if (base === null || base === undefined || base === '') return '—';
  const v = BigInt(base);
  const neg = v < 0n;
  const a = neg ? -v : v;
  const frac = (a % UNIT).toString().padStart(18, '0').replace(/0+$/, '').slice(0, 4);
  return `${neg ? '−' : ''}${(a / UNIT).toString()}${frac ? `.${frac}` : ''}`;
}

/** "12.5" tokens → base units; undefined when not a non-negative decimal with ≤ 18 decimals. */
export function toBaseUnits(s: string): string | undefined {
  const m = /^\s*(\d+)(?:\.(\d{1,18}))?\s*$/.exec(s);
  if (!m) return undefined;
  return (BigInt(m[1]!) * UNIT + BigInt((m[2] ?? '').padEnd(18, '0'))).toString();
}

export const short = (a: string | null | undefined) => (a ? `${a.slice(0, 6)}…${a.slice(-4)}` : '—');
export const when = (iso: string | number | null | undefined) => {
  if (iso === null || iso === undefined) return '—';
  const d = typeof iso === 'number' ? new Date(iso * 1000) : new Date(iso);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
};
export const num = (x: unknown, digits = 4) => (typeof x === 'number' ? (Math.round(x * 10 ** digits) / 10 ** digits).toString() : '—');
