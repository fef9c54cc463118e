/**
 * What the credit programs share: reading a party's own CSV, agreeing on public sizes,
 * aligning rows to a PSI result, and finding rows by the HMAC tags a receiver sends.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readCsvTable, type Table } from '../../data/csv.js';
import { Mpc } from '../../mpc/engine.js';
import { ProgramError, type ProgramContext, type ProgramResult } from '../program.js';
import { ownBytes } from '../../net/bytes.js';

/**
 * This party's table: given by the node (from its store) or read from its own CSV file.
 * With `uniqueIds` (every program but debt-query, where a book may hold several loans of
 * one person) a repeated id is refused — with its lines, for a file the party reads itself.
 */
export function localTable(ctx: ProgramContext, idColumn: string, opts: { uniqueIds?: boolean } = {}): Table {
  const given = ctx.local['table'] as Table | undefined;
  if (given) {
    if (given.idColumn !== undefined && given.idColumn !== idColumn) {
      throw new ProgramError(`party ${ctx.self}'s dataset has id column "${given.idColumn}", the task names "${idColumn}"`);
    }
    if (opts.uniqueIds && new Set(given.ids).size !== given.ids.length) {
      throw new ProgramError(`party ${ctx.self}'s dataset has repeated ids; ${ctx.plan.program} needs one row per id`, { hint: 'Import the data again with one row per id.' });
    }
    return given;
  }
  const path = ctx.local['csv'];
  if (typeof path !== 'string') throw new ProgramError(`party ${ctx.self} has no CSV file for ${ctx.plan.program}`);
  return readCsvTable(path, { idColumn, uniqueIds: opts.uniqueIds });
}

/** Sends a small public number from `from` to every other member; returns it everywhere. */
export async function broadcastNumber(ctx: ProgramContext, from: string, value: number | undefined, step: string): Promise<number> {
  const members = ctx.plan.parties.map((p) => p.id);
  if (ctx.self === from) {
    const buf = new Uint8Array(new Float64Array([value!]).buffer);
    await Promise.all(members.filter((m) => m !== from).map((m) => ctx.net.send(m, step, buf)));
    return value!;
  }
  const got = await ctx.net.recv(from, step, 8);
  return new Float64Array(ownBytes(got).buffer)[0]!;
}

/** Row indices of `table` in the order of `ids` (each id must be present). */
export function rowsInOrder(table: Table, ids: readonly string[]): Int32Array {
  const pos = new Map<string, number>();
  table.ids.forEach((id, i) => {
    if (!pos.has(id)) pos.set(id, i);
  });
  return Int32Array.from(ids, (id) => {
    const i = pos.get(id);
    if (i === undefined) throw new ProgramError('an aligned id is missing from the local table (the PSI result does not match this party\'s ids)');
    return i;
  });
}

/** The given columns of the given rows, row-major. */
export function gatherRows(table: Table, rows: Int32Array, columns: string[]): Float64Array {
  const idx = columns.map((c) => {
    const j = table.columns.indexOf(c);
    if (j < 0) throw new ProgramError(`no column "${c}" in the local table`, { hint: `It has: ${table.columns.join(', ')}` });
    return j;
  });
  const w = table.columns.length;
  const out = new Float64Array(rows.length * idx.length);
  for (let r = 0; r < rows.length; r++) for (let k = 0; k < idx.length; k++) out[r * idx.length + k] = table.values[rows[r]! * w + idx[k]!]!;
  return out;
}

export const TAG_KEY_BYTES = 32;
export const tagOf = (key: Uint8Array, id: string): Buffer => createHmac('sha256', key).update(id, 'utf8').digest();

/**
 * The receiver tags `ids` under a fresh key and sends key and tags to `to`; every party
 * in `to` gets back the tags (and key) to look its rows up with `rowsByTag`.
 */
export async function exchangeTags(
  ctx: ProgramContext,
  receiver: string,
  to: string[],
  ids: string[] | undefined,
  step: string,
): Promise<{ key: Uint8Array; tags: Buffer[] } | undefined> {
  if (ctx.self === receiver) {
    const key = randomBytes(TAG_KEY_BYTES);
    const tags = ids!.map((id) => tagOf(key, id));
    const msg = Buffer.concat([key, ...tags]);
    await Promise.all(to.filter((p) => p !== receiver).map((p) => ctx.net.send(p, step, msg)));
    return { key, tags };
  }
  if (!to.includes(ctx.self)) return undefined;
  const msg = Buffer.from(await ctx.net.recv(receiver, step));
  if (msg.length < TAG_KEY_BYTES || (msg.length - TAG_KEY_BYTES) % 32 !== 0) throw new ProgramError(`malformed tag message from ${receiver}`);
  const key = msg.subarray(0, TAG_KEY_BYTES);
  const tags: Buffer[] = [];
  for (let off = TAG_KEY_BYTES; off < msg.length; off += 32) tags.push(msg.subarray(off, off + 32));
  return { key, tags };
}

/** For each tag, the first row whose id has that tag under `key` (−1 if none). */
export function rowsByTag(table: Table, key: Uint8Array, tags: Buffer[]): Int32Array {
  const byTag = new Map<string, number>();
  table.ids.forEach((id, i) => {
    const t = tagOf(key, id).toString('hex');
    if (!byTag.has(t)) byTag.set(t, i);
  });
  return Int32Array.from(tags, (t) => byTag.get(t.toString('hex')) ?? -1);
}

/** Opens the engine for a program, or serves as the dealer; closes it and collects stats. */
export async function withMpc(ctx: ProgramContext, body: (mpc: Mpc) => Promise<Record<string, unknown> | undefined>): Promise<ProgramResult> {
  const config = ctx.plan.mpc;
  if (!config) throw new ProgramError(`program ${ctx.plan.program} needs an MPC configuration in its plan`);
  const t0 = performance.now();
  const bytes0 = ctx.net.meter.bytesSent();
  if (config.preprocessing?.kind === 'ttp' && config.preprocessing.dealer === ctx.self) {
    await Mpc.serveDealer(ctx.net, config.computeParties);
    return { stats: { seconds: (performance.now() - t0) / 1000, bytesSent: ctx.net.meter.bytesSent() - bytes0, rounds: 0 } };
  }
  const mpc = await Mpc.create(ctx.net, config);
  const output = await body(mpc);
  await mpc.finish();
  return {
    output,
    stats: { seconds: (performance.now() - t0) / 1000, bytesSent: ctx.net.meter.bytesSent() - bytes0, rounds: mpc.comm.rounds },
  };
}

/**
 * Each data party tells every member the names of the feature columns it brings (public
 * metadata: a dataset's schema hash is on-chain) so that requesters need not know them.
 */
export async function announceSchemas(ctx: ProgramContext, dataParties: string[], mine: string[] | undefined, step: string): Promise<Record<string, string[]>> {
  const members = ctx.plan.parties.map((p) => p.id);
  const out: Record<string, string[]> = {};
  if (mine) {
    out[ctx.self] = mine;
    const msg = Buffer.from(JSON.stringify(mine), 'utf8');
    await Promise.all(members.filter((m) => m !== ctx.self).map((m) => ctx.net.send(m, step, msg)));
  }
  for (const d of dataParties) {
    if (d === ctx.self) continue;
    const raw = Buffer.from(await ctx.net.recv(d, step)).toString('utf8');
    let cols: unknown;
    try {
      cols = JSON.parse(raw);
    } catch {
      cols = undefined;
    }
    if (!Array.isArray(cols) || cols.length > 10_000 || !cols.every((c) => typeof c === 'string' && c.length <= 256)) {
      throw new ProgramError(`malformed schema announcement from ${d}`);
    }
    out[d] = cols as string[];
  }
  return out;
}
