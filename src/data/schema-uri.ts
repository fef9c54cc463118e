/**
 * A dataset's schema (id column and column names) published with its listing, as a `data:`
 * URI in the DataRegistry's metadataURI when the owner gives no URI of its own. Column names
 * are what a buyer inspects before paying and what a requester's task is checked against
 * before it is sent; the on-chain schema hash commits to them, so a reader trusts a published
 * schema only when it hashes to the listing's schemaHash. Names only — never values.
 */
import type { Hex } from 'viem';
import { schemaHash } from './commitment.js';

const PREFIX = 'data:application/json,';

export interface PublishedSchema {
  idColumn: string;
  /** Numeric columns, in file order (the id column is not among them). */
  columns: string[];
}

export function schemaUri(s: PublishedSchema): string {
  return PREFIX + encodeURIComponent(JSON.stringify({ tacitSchema: 1, idColumn: s.idColumn, columns: s.columns }));
}

/** The schema a listing publishes, if its metadataURI carries one that matches its schemaHash. */
export function schemaFromListing(metadataURI: string, expectedHash: Hex): PublishedSchema | undefined {
  if (!metadataURI.startsWith(PREFIX)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(decodeURIComponent(metadataURI.slice(PREFIX.length)));
  } catch {
    return undefined;
  }
  const o = v as { tacitSchema?: unknown; idColumn?: unknown; columns?: unknown };
  if (o?.tacitSchema !== 1 || typeof o.idColumn !== 'string' || !Array.isArray(o.columns) || !o.columns.every((c) => typeof c === 'string')) return undefined;
  const s = { idColumn: o.idColumn, columns: o.columns as string[] };
  return schemaHash(s.idColumn, s.columns).toLowerCase() === expectedHash.toLowerCase() ? s : undefined;
}
