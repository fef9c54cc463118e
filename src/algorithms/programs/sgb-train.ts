/**
 * Program `sgb-train` v1: PSI alignment of the data parties' rows (as lr-train), then vertical
 * gradient-boosted trees by SecureBoost over Paillier (`sgb/guest.ts`, `sgb/host.ts`).
 * Parameters (public): idColumn, labelParty, labelColumn, schema?: { party: columns },
 *   hyper?: Partial<SgbHyperparameters>, keyBits? (2048; 3072 available).
 * Local input at each data party: `csv`. The label party is the receiver.
 * Output at the label party: { rows, model, auc, ks, timings } where the model holds the tree
 * structure, leaf weights and the thresholds of its own splits; a host's splits appear as
 * { party, split: id }. Each host keeps its thresholds (`keep.sgb`), shown to no one.
 */
import { randomBytes } from 'node:crypto';
import { runPsiWith } from '../../psi/index.js';
import { generateKeyPair, PaillierPublicKey, KEY_BITS } from '../../he/index.js';
import { aucKsPlaintext } from '../lr/plaintext.js';
import { binColumns } from '../sgb/binning.js';
import { checkHostBins, sgbGuest, startGuestPool, type HostInfo } from '../sgb/guest.js';
import { sgbHost } from '../sgb/host.js';
import { checkHyper, DEFAULT_SGB, type SgbHyperparameters } from '../sgb/hyper.js';
import { admitSgb, SGB_GUARDS } from '../sgb/admit.js';
import { jsonBytes, parseJson } from '../sgb/wire.js';
import type { TreeNode } from '../sgb/grow.js';
import { partiesWith, ProgramError, type Program, type ProgramContext } from '../program.js';
import { announceSchemas, gatherRows, localTable, rowsInOrder } from './common.js';

export interface SgbTrainParams {
  idColumn: string;
  labelParty: string;
  labelColumn: string;
  schema?: Record<string, string[]>;
  hyper?: Partial<SgbHyperparameters>;
  keyBits?: number;
}

/** A node of the model as the label party keeps it. */
export type SgbModelNode =
  | { leaf: number }
  | { party: string; feature: string; threshold: number; left: number; right: number }
  | { party: string; split: string; left: number; right: number };

export interface SgbModel {
  type: 'sgb';
  modelId: string;
  labelParty: string;
  base: number;
  features: Record<string, string[]>;
  trees: SgbModelNode[][];
}

/** Most randomness values made before PSI has said how many rows align. */
const PREFILL_CAP = 100_000;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export const sgbTrainProgram: Program = {
  name: 'sgb-train',
  version: '1.0.0',
  summary: 'vertical gradient-boosted trees (SecureBoost over Paillier) on PSI-aligned rows; model, AUC and KS to the label party',
  moduleUrl: import.meta.url,
  admit: admitSgb,
  defaultGuards: SGB_GUARDS,
  async run(ctx: ProgramContext) {
    const p = ctx.plan.params as unknown as SgbTrainParams;
    if (!p.idColumn || !p.labelParty || !p.labelColumn) throw new ProgramError('sgb-train needs idColumn, labelParty and labelColumn');
    const hyper = checkHyper({ ...DEFAULT_SGB, ...(p.hyper ?? {}) });
    const keyBits = p.keyBits ?? 2048;
    if (!(KEY_BITS as readonly number[]).includes(keyBits)) throw new ProgramError(`keyBits must be one of ${KEY_BITS.join(', ')}`);
    const dataParties = partiesWith(ctx.plan, 'data');
    if (!dataParties.includes(p.labelParty)) throw new ProgramError('the label party must bring data');
    const t0 = performance.now();
    const bytes0 = ctx.net.meter.bytesSent();
    if (!dataParties.includes(ctx.self)) {
      // A member without data (e.g. a compute node of the task) still takes the schema
      // announcements sent to every member (public column names), then has nothing to do.
      if (!p.schema) await announceSchemas(ctx, dataParties, undefined, 'sgb.schema');
      return { stats: { seconds: (performance.now() - t0) / 1000, bytesSent: 0, rounds: 0 } };
    }
    const isGuest = ctx.self === p.labelParty;
    const table = localTable(ctx, p.idColumn);
    if (isGuest && !table.columns.includes(p.labelColumn)) throw new ProgramError(`the label column "${p.labelColumn}" is not in ${ctx.self}'s dataset`);
    const schema = p.schema ?? (await announceSchemas(ctx, dataParties, table.columns.filter((c) => !(isGuest && c === p.labelColumn)), 'sgb.schema'));
    // The label party's key and first tree's encryption randomness are made while PSI runs
    // (for at most its own row count, capped: a large table may align only a few rows).
    const keys = isGuest ? generateKeyPair({ bits: keyBits }) : undefined;
    const pool = keys ? startGuestPool(keys, Math.min(table.ids.length, PREFILL_CAP)) : undefined;
    try {
      return await trainAligned();
    } finally {
      await pool?.close();
    }
    async function trainAligned() {
      const psi = await runPsiWith(ctx.net, { parties: dataParties, receivers: dataParties, ids: table.ids, onProgress: (d, t) => ctx.progress('psi', d, t) });
      const aligned = psi.intersection!;
      const rows = aligned.length;
      if (rows < 2) throw new ProgramError('fewer than two aligned rows: nothing to train on');
      const order = rowsInOrder(table, aligned);
      const mine = schema[ctx.self] ?? [];
      const binned = binColumns(gatherRows(table, order, mine), rows, mine.length, hyper.bins);
      const hosts = dataParties.filter((d) => d !== p.labelParty);
      const stats = () => ({ seconds: (performance.now() - t0) / 1000, bytesSent: ctx.net.meter.bytesSent() - bytes0, rounds: 0 });

      if (!isGuest) {
        const hello = parseJson(await ctx.net.recv(p.labelParty, 'sgb.pk'), 'sgb key message', (v): v is { key: unknown; modelId: string } => isObj(v) && typeof v['modelId'] === 'string');
        const key = PaillierPublicKey.fromJSON(hello.key);
        if (key.bits < 2048 && keyBits >= 2048) throw new ProgramError('the label party sent a key shorter than the task asks for');
        await ctx.net.send(p.labelParty, 'sgb.bins', jsonBytes(binned.cuts.map((c) => c.length + 1)));
        const splits = await sgbHost(ctx.net, p.labelParty, key, binned, mine, hyper.bins, ctx.progress);
        return { stats: stats(), keep: { sgb: { modelId: hello.modelId, splits } } };
      }

      if (!keys) throw new ProgramError('internal: the label party has no key');
      const modelId = randomBytes(16).toString('hex');
      const hello = jsonBytes({ key: keys.publicKey.toJSON(), modelId });
      await Promise.all(hosts.map((h) => ctx.net.send(h, 'sgb.pk', hello)));
      const hostInfo: HostInfo[] = [];
      for (const h of hosts) {
        const bins = checkHostBins(h, parseJson(await ctx.net.recv(h, 'sgb.bins'), 'bin counts', (v): v is unknown => true), hyper.bins);
        if (bins.length !== (schema[h] ?? []).length) throw new ProgramError(`${h} announced bins for ${bins.length} features, its schema has ${(schema[h] ?? []).length}`);
        hostInfo.push({ party: h, binsPerFeature: bins });
      }
      const y = gatherRows(table, order, [p.labelColumn]);
      for (const v of y) if (v !== 0 && v !== 1) throw new ProgramError(`the label column "${p.labelColumn}" must hold 0 or 1`);
      const own = { bins: binned.bins, binsPerFeature: binned.cuts.map((c) => c.length + 1) };
      const res = await sgbGuest(ctx.net, keys, own, hostInfo, y, hyper, ctx.progress, pool);
      const owners: { party: string; local: number }[] = [...mine.map((_, f) => ({ party: ctx.self, local: f })), ...hostInfo.flatMap((h) => h.binsPerFeature.map((_, f) => ({ party: h.party, local: f })))];
      const trees = res.trees.map((nodes: TreeNode[], t) =>
        nodes.map((n, k): SgbModelNode => {
          if (!n.split) return { leaf: n.weight! };
          const o = owners[n.split.feature]!;
          if (o.party === ctx.self) return { party: o.party, feature: mine[o.local]!, threshold: binned.cuts[o.local]![n.split.bin]!, left: n.left!, right: n.right! };
          return { party: o.party, split: `${t}.${k}`, left: n.left!, right: n.right! };
        }),
      );
      const model: SgbModel = { type: 'sgb', modelId, labelParty: ctx.self, base: res.base, features: Object.fromEntries(dataParties.map((d) => [d, schema[d] ?? []])), trees };
      const metrics = aucKsPlaintext(res.scores, y);
      return {
        output: { rows, model, auc: metrics.auc, ks: metrics.ks, hyper, keyBits, timings: { psi: psi.stats.seconds, ...res.timings } },
        stats: stats(),
      };
    }
  },
};
