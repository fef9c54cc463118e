/**
 * Program `woe-iv` v1: the label party learns, for every feature of every data party, the WOE
 * of each bin and the feature's IV (`woe/woe.ts`), without learning any feature value or bin
 * edge of the other parties; they learn nothing about the labels.
 * After PSI alignment the label party encrypts each row's pair (1, y) packed in one Paillier
 * plaintext (as SecureBoost+ packs (g, h)); each other party adds the ciphertexts into its own
 * bins (equal-frequency, or cut points it was given locally), compresses the bins and sends
 * them back — the feature-holder side is exactly sgb-train's histogram step (`sgb/host.ts`)
 * for one node; the label party decrypts (count, positives) per bin. A party refuses to
 * answer if one of its bins holds fewer than `minBinRows` aligned rows.
 * Parameters: idColumn, labelParty, labelColumn, schema?, bins? (10), keyBits? (2048),
 *   minBinRows? (20). Local: `csv`, optional `cuts`: { column: ascending cut points }.
 * Output at the label party: { rows, features: { "party.column": { counts, positives, woe, iv } } }.
 */
import { runPsiWith } from '../../psi/index.js';
import { decrypt, deserializeCiphertexts, encryptManyBytes, generateKeyPair, KEY_BITS, layoutFor, packSigned, PaillierPublicKey, unpackSigned, RandomnessPool } from '../../he/index.js';
import { binColumns, MAX_BINS } from '../sgb/binning.js';
import { checkHostBins } from '../sgb/guest.js';
import { sgbHost } from '../sgb/host.js';
import { CMD, command, ghLayout, int32Bytes, jsonBytes, parseJson } from '../sgb/wire.js';
import { binCounts, woeFromCounts, type FeatureWoe } from '../woe/woe.js';
import { ADMIT, refuse, type AdmissionRequest, type GuardOverrides } from '../admission.js';
import { partiesWith, ProgramError, type Program, type ProgramContext } from '../program.js';
import { announceSchemas, gatherRows, localTable, rowsInOrder } from './common.js';

export const WOE_GUARDS = { minRows: 500, maxBins: 32, minKeyBits: 2048 };

function admitWoe(request: AdmissionRequest, guards: GuardOverrides) {
  const g = (k: keyof typeof WOE_GUARDS) => (typeof guards[k] === 'number' ? (guards[k] as number) : WOE_GUARDS[k]);
  const p = request.params as { bins?: unknown; keyBits?: unknown };
  if (request.dataset && request.dataset.rows < g('minRows')) return refuse(`dataset has fewer than minRows = ${g('minRows')} rows`);
  if (p.bins !== undefined && !(Number.isInteger(p.bins) && (p.bins as number) >= 2 && (p.bins as number) <= g('maxBins'))) return refuse(`bins must be an integer in [2, ${g('maxBins')}]`);
  if (p.keyBits !== undefined && !(typeof p.keyBits === 'number' && p.keyBits >= g('minKeyBits'))) return refuse(`keyBits must be at least ${g('minKeyBits')}`);
  return ADMIT;
}

function givenCuts(ctx: ProgramContext, columns: string[]): Float64Array[] | undefined {
  const cuts = ctx.local['cuts'] as Record<string, unknown> | undefined;
  if (!cuts || Object.keys(cuts).length === 0) return undefined;
  return columns.map((c) => {
    const v = cuts[c];
    if (v === undefined) throw new ProgramError(`cut points are given for some columns but not for "${c}"`);
    if (!Array.isArray(v) || v.length + 1 > MAX_BINS || !v.every((x, i) => typeof x === 'number' && Number.isFinite(x) && (i === 0 || x > (v[i - 1] as number)))) {
      throw new ProgramError(`cut points of "${c}" must be ascending finite numbers (at most ${MAX_BINS - 1})`);
    }
    return Float64Array.from(v as number[]);
  });
}

export const woeIvProgram: Program = {
  name: 'woe-iv',
  version: '1.0.0',
  summary: "WOE per bin and IV of every party's features for the label party, over Paillier-encrypted label counts",
  moduleUrl: import.meta.url,
  admit: admitWoe,
  defaultGuards: WOE_GUARDS,
  async run(ctx) {
    const t0 = performance.now();
    const bytes0 = ctx.net.meter.bytesSent();
    const p = ctx.plan.params as { idColumn: string; labelParty: string; labelColumn: string; schema?: Record<string, string[]>; bins?: number; keyBits?: number; minBinRows?: number };
    if (!p.idColumn || !p.labelParty || !p.labelColumn) throw new ProgramError('woe-iv needs idColumn, labelParty and labelColumn');
    const bins = p.bins ?? 10;
    if (!Number.isInteger(bins) || bins < 2 || bins > MAX_BINS) throw new ProgramError(`bins must be an integer in [2, ${MAX_BINS}]`);
    const keyBits = p.keyBits ?? 2048;
    if (!(KEY_BITS as readonly number[]).includes(keyBits)) throw new ProgramError(`keyBits must be one of ${KEY_BITS.join(', ')}`);
    const minBinRows = p.minBinRows ?? 20;
    const stats = () => ({ seconds: (performance.now() - t0) / 1000, bytesSent: ctx.net.meter.bytesSent() - bytes0, rounds: 3 });
    const dataParties = partiesWith(ctx.plan, 'data');
    if (!dataParties.includes(p.labelParty)) throw new ProgramError('the label party must bring data');
    if (!dataParties.includes(ctx.self)) {
      // A member without data still takes the schema announcements sent to every member.
      if (!p.schema) await announceSchemas(ctx, dataParties, undefined, 'woe.schema');
      return { stats: stats() };
    }
    const isGuest = ctx.self === p.labelParty;
    const table = localTable(ctx, p.idColumn);
    if (isGuest && !table.columns.includes(p.labelColumn)) throw new ProgramError(`the label column "${p.labelColumn}" is not in ${ctx.self}'s dataset`);
    const schema = p.schema ?? (await announceSchemas(ctx, dataParties, table.columns.filter((c) => !(isGuest && c === p.labelColumn)), 'woe.schema'));
    const psi = await runPsiWith(ctx.net, { parties: dataParties, receivers: dataParties, ids: table.ids, onProgress: (d, t) => ctx.progress('psi', d, t) });
    const aligned = psi.intersection!;
    const rows = aligned.length;
    const order = rowsInOrder(table, aligned);
    const mine = schema[ctx.self] ?? [];
    const binned = binColumns(gatherRows(table, order, mine), rows, mine.length, bins, givenCuts(ctx, mine));
    const hosts = dataParties.filter((d) => d !== p.labelParty);

    if (!isGuest) {
      const hello = parseJson(await ctx.net.recv(p.labelParty, 'woe.pk'), 'woe key message', (v): v is { key: unknown } => typeof v === 'object' && v !== null);
      const key = PaillierPublicKey.fromJSON(hello.key);
      if (key.bits < Math.min(keyBits, 2048)) throw new ProgramError('the label party sent a key shorter than the task asks for');
      const per = binCounts(binned.bins, rows, mine.length, binned.cuts.map((c) => c.length + 1), new Float64Array(rows));
      if (per.some((f) => f.counts.some((c) => c < minBinRows))) {
        throw new ProgramError(`a bin of ${ctx.self}'s features holds fewer than ${minBinRows} aligned rows`, { hint: 'use fewer bins or other cut points' });
      }
      await ctx.net.send(p.labelParty, 'woe.bins', jsonBytes(binned.cuts.map((c) => c.length + 1)));
      await sgbHost(ctx.net, p.labelParty, key, binned, mine, MAX_BINS, ctx.progress);
      return { stats: stats() };
    }

    const { publicKey: pk, privateKey: sk } = generateKeyPair({ bits: keyBits });
    await Promise.all(hosts.map((h) => ctx.net.send(h, 'woe.pk', jsonBytes({ key: pk.toJSON() }))));
    const y = gatherRows(table, order, [p.labelColumn]);
    for (const v of y) if (v !== 0 && v !== 1) throw new ProgramError(`the label column "${p.labelColumn}" must hold 0 or 1`);
    const hostBins: number[][] = [];
    for (const h of hosts) hostBins.push(checkHostBins(h, parseJson(await ctx.net.recv(h, 'woe.bins'), 'bin counts', (v): v is unknown => true), MAX_BINS));
    const layout = ghLayout(rows);
    const { slots } = layoutFor(pk, layout.outer);
    // Each row's (count 1, label y) in one plaintext; randomness from the worker threads.
    const pool = new RandomnessPool(pk, { privateKey: sk }); // its own key: ρ by CRT (he/obfuscator.ts)
    let cts: Uint8Array;
    try {
      cts = encryptManyBytes(pk, Array.from(y, (v) => packSigned(pk, [1n, BigInt(v)], layout.inner)), await pool.takeBytes(rows));
    } finally {
      await pool.close();
    }
    const treeMsg = command(CMD.tree, new Uint8Array(rows).fill(1), cts);
    const req = new Int32Array(2 + rows);
    req[0] = 1; // one node (the root, all rows), node id 0
    const histMsg = command(CMD.hist, int32Bytes(req));
    const out: Record<string, FeatureWoe> = {};
    const own = binCounts(binned.bins, rows, mine.length, binned.cuts.map((c) => c.length + 1), y);
    mine.forEach((c, f) => (out[`${ctx.self}.${c}`] = woeFromCounts(own[f]!.counts, own[f]!.positives)));
    for (let j = 0; j < hosts.length; j++) {
      const h = hosts[j]!;
      await ctx.net.send(h, 'sgb.cmd', treeMsg);
      await ctx.net.send(h, 'sgb.cmd', histMsg);
      const total = hostBins[j]!.reduce((a, b) => a + b, 0);
      const chunks = Math.ceil(total / slots);
      const packed = deserializeCiphertexts(pk, await ctx.net.recv(h, 'sgb.hist', chunks * pk.cipherBytes), chunks);
      const pairs: bigint[] = [];
      packed.forEach((c, i) => pairs.push(...unpackSigned(pk, decrypt(sk, c), layout.outer, Math.min(slots, total - i * slots))));
      await ctx.net.send(h, 'sgb.cmd', command(CMD.end));
      let at = 0;
      hostBins[j]!.forEach((k, f) => {
        const counts: number[] = [], positives: number[] = [];
        for (let b = 0; b < k; b++) {
          const x = pairs[at++]!;
          const [cnt, pos] = unpackSigned(pk, x < 0n ? x + pk.n : x, layout.inner, 2);
          counts.push(Number(cnt));
          positives.push(Number(pos));
        }
        out[`${h}.${(schema[h] ?? [])[f] ?? f}`] = woeFromCounts(counts, positives);
      });
    }
    return { output: { rows, bins, features: out }, stats: stats() };
  },
};
