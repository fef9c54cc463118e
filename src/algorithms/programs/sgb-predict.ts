/**
 * Program `sgb-predict` v1: scores applicants with an sgb-train model. The label party (the
 * receiver, who holds the trees and leaf weights) names the applicants by HMAC tags under a
 * fresh key, as lr-predict does; each host looks its rows up by tag and answers, for every
 * split it owns in the model, which side each applicant falls on (one message; the host
 * learns nothing of the trees' other splits, the leaf weights or the scores; the receiver
 * learns those split outcomes — as SecureBoost's own inference does for the path taken —
 * and never a threshold or a feature value). An applicant a party does not know goes right
 * at that party's splits.
 * Parameters: idColumn, receiver, count. Local: receiver `csv`, `model` (sgb-train output
 * `model`) and `applicants`; hosts `csv` and `sgb` (what sgb-train kept: { modelId, splits }).
 * Output at the receiver: { scores } (probabilities).
 */
import { partiesWith, ProgramError, type Program } from '../program.js';
import { exchangeTags, gatherRows, localTable, rowsByTag } from './common.js';
import { admitSgb, SGB_GUARDS } from '../sgb/admit.js';
import { jsonBytes, parseJson } from '../sgb/wire.js';
import type { HostSplit } from '../sgb/host.js';
import type { SgbModel } from './sgb-train.js';

export const sgbPredictProgram: Program = {
  name: 'sgb-predict',
  version: '1.0.0',
  summary: 'score applicants with a SecureBoost model whose split thresholds stay with their owners; scores to the receiver only',
  moduleUrl: import.meta.url,
  admit: admitSgb,
  defaultGuards: SGB_GUARDS,
  async run(ctx) {
    const t0 = performance.now();
    const bytes0 = ctx.net.meter.bytesSent();
    const { idColumn, receiver, count } = ctx.plan.params as { idColumn: string; receiver: string; count: number };
    if (typeof idColumn !== 'string' || typeof receiver !== 'string' || !Number.isInteger(count) || count < 1) throw new ProgramError('sgb-predict needs idColumn, receiver and count');
    const dataParties = partiesWith(ctx.plan, 'data');
    if (!dataParties.includes(receiver)) throw new ProgramError('the receiver must hold the model and its own data');
    const hosts = dataParties.filter((d) => d !== receiver);
    const stats = () => ({ seconds: (performance.now() - t0) / 1000, bytesSent: ctx.net.meter.bytesSent() - bytes0, rounds: 2 });
    const applicants = ctx.local['applicants'] as string[] | undefined;
    if (ctx.self === receiver && (!Array.isArray(applicants) || applicants.length !== count)) throw new ProgramError(`the receiver must name exactly ${count} applicants`);
    const tags = await exchangeTags(ctx, receiver, dataParties, applicants, 'sgb.tags');
    if (!dataParties.includes(ctx.self)) return { stats: stats() };
    const table = localTable(ctx, idColumn);
    const rows = rowsByTag(table, tags!.key, tags!.tags);

    if (ctx.self !== receiver) {
      const kept = ctx.local['sgb'] as { modelId?: unknown; splits?: Record<string, HostSplit> } | undefined;
      if (!kept || typeof kept.modelId !== 'string' || typeof kept.splits !== 'object' || kept.splits === null) {
        throw new ProgramError(`${ctx.self} holds no sgb-train splits`, { hint: 'pass what sgb-train kept at this party (keep.sgb)' });
      }
      const ids = Object.keys(kept.splits).sort();
      const features = [...new Set(ids.map((id) => kept.splits![id]!.feature))];
      const X = gatherRows(table, Int32Array.from(rows, (r) => (r < 0 ? 0 : r)), features);
      const bits = new Uint8Array(count * ids.length);
      ids.forEach((id, j) => {
        const s = kept.splits![id]!;
        const f = features.indexOf(s.feature);
        for (let i = 0; i < count; i++) bits[i * ids.length + j] = rows[i]! >= 0 && X[i * features.length + f]! <= s.threshold ? 1 : 0;
      });
      await ctx.net.send(receiver, 'sgb.ids', jsonBytes({ modelId: kept.modelId, ids }));
      await ctx.net.send(receiver, 'sgb.bits', bits);
      return { stats: stats() };
    }

    const model = ctx.local['model'] as SgbModel | undefined;
    if (!model || model.type !== 'sgb' || !Array.isArray(model.trees)) throw new ProgramError('the receiver needs the sgb-train model (--model FILE)');
    const hostBits = new Map<string, { ids: Map<string, number>; bits: Uint8Array }>();
    for (const h of hosts) {
      const head = parseJson(await ctx.net.recv(h, 'sgb.ids'), 'split ids', (v): v is { modelId: string; ids: string[] } => typeof v === 'object' && v !== null && Array.isArray((v as { ids?: unknown }).ids));
      if (head.modelId !== model.modelId) throw new ProgramError(`${h}'s splits belong to another model`, { hint: 'each party must bring what the same sgb-train task kept' });
      const bits = await ctx.net.recv(h, 'sgb.bits', count * head.ids.length);
      hostBits.set(h, { ids: new Map(head.ids.map((id, j) => [id, j])), bits });
    }
    const ownFeatures = model.features[receiver] ?? [];
    const X = gatherRows(table, Int32Array.from(rows, (r) => (r < 0 ? 0 : r)), ownFeatures);
    const scores: number[] = [];
    for (let i = 0; i < count; i++) {
      let z = model.base;
      for (const nodes of model.trees) {
        let k = 0;
        for (;;) {
          const n = nodes[k]!;
          if ('leaf' in n) {
            z += n.leaf;
            break;
          }
          let left: boolean;
          if ('threshold' in n) left = rows[i]! >= 0 && X[i * ownFeatures.length + ownFeatures.indexOf(n.feature)]! <= n.threshold;
          else {
            const hb = hostBits.get(n.party);
            const j = hb?.ids.get(n.split);
            if (!hb || j === undefined) throw new ProgramError(`no answer from ${n.party} for one of its splits`);
            left = hb.bits[i * hb.ids.size + j] === 1;
          }
          k = left ? n.left : n.right;
        }
      }
      scores.push(1 / (1 + Math.exp(-z)));
    }
    return { output: { scores }, stats: stats() };
  },
};
