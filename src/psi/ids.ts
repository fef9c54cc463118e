/**
 * What an id is, byte for byte. Ids are JavaScript strings; two ids are the same id exactly
 * when their UTF-8 encodings are equal. Nothing is normalised — no Unicode normalisation, case
 * folding or trimming — because silently merging two distinct keys is worse than missing a
 * match; clean ids (e.g. NFC, trimmed, upper-case) before PSI if the data needs it, the same
 * way at every party.
 *
 * Rules (checked, with errors that give the index, never the id):
 * - an id is a non-empty string: an empty id is almost always a missing value, and letting
 *   every party's missing values match each other would align unrelated rows;
 * - it is well-formed UTF-16 (no lone surrogates), since UTF-8 cannot encode a lone surrogate
 *   and two different strings would otherwise collide on U+FFFD;
 * - any other character is fine: commas, quotes, newlines, NUL, emoji, any length.
 *
 * Duplicates are dropped (the input is a set). Results are ordered by UTF-8 bytes, which is
 * Unicode code point order, so every party and every language sorts them the same way.
 */
import { PsiUsageError } from './errors.js';

// ES2024, in Node since 20.0; TypeScript's ES2022 lib does not declare it.
type WellFormedCheck = string & { isWellFormed(): boolean };

/** The distinct ids of `ids` in first-seen order, after checking the rules above. */
export function distinctIds(ids: readonly string[], title = 'ids'): { ids: string[]; duplicates: number } {
  if (!Array.isArray(ids)) throw new PsiUsageError(`${title} must be an array of strings`);
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    // Positions go in `details` only: a short message may reach peers, a row number must not.
    if (typeof id !== 'string') throw new PsiUsageError(`${title} holds a value that is not a string`, { details: `${title}[${i}] is a ${typeof id}` });
    if (id.length === 0) {
      throw new PsiUsageError(`${title} holds an empty id`, { details: `${title}[${i}]`, hint: 'Drop rows with a missing id before PSI: empty ids would all match each other.' });
    }
    if (seen.has(id)) continue;
    if (!(id as WellFormedCheck).isWellFormed()) {
      throw new PsiUsageError(`${title} holds an id with a lone UTF-16 surrogate`, { details: `${title}[${i}]`, hint: 'Ids must be valid Unicode text.' });
    }
    seen.add(id);
    out.push(id);
  }
  return { ids: out, duplicates: ids.length - out.length };
}

/**
 * Orders strings by Unicode code point, which is the order of their UTF-8 bytes. JavaScript's
 * default order compares UTF-16 units and puts U+10000.. (surrogate pairs, e.g. emoji) before
 * U+E000..U+FFFF; the fix-up below is the classic one (ICU's `u_strCompare(..., TRUE)`).
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  return fixup(a.charCodeAt(i)) - fixup(b.charCodeAt(i));
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Sorts ids in place by UTF-8 bytes (`compareIds`). Without surrogate pairs UTF-16 order is
 * code point order, so the engine's native string sort (about twice as fast) gives the same
 * result; the comparator is used only when some id lies outside the Basic Multilingual Plane.
 */
export function sortIds(ids: string[]): string[] {
  for (const id of ids) if (SURROGATE.test(id)) return ids.sort(compareIds);
  return ids.sort();
}

function fixup(c: number): number {
  if (c < 0xd800) return c;
  return c >= 0xe000 ? c - 0x800 : c + 0x2000;
}
