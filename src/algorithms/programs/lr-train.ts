/**
 * Program `lr-train` v1: PSI alignment of the data parties' rows, then vertical logistic
 * regression under MPC (`lr/train.ts`). Parameters (public, the same at every party):
 *   idColumn, labelParty, labelColumn, schema: { party: feature column names },
 *   receiver, hyper: LrHyperparameters, keepShared?, metrics?
 * Local input at each data party: `csv` (its table). Output at the receiver:
 *   { model: { weights, intercept, features }, auc, ks, rows }.
 * The data parties learn the aligned ids (as in FATE's hetero-LR); compute-only parties
 * learn only the number of aligned rows.
 */
import { runPsi } from '../../psi/index.js';
import { lrTrainMpc } from '../lr/train.js';
import { DEFAULT_LR, type LrHyperparameters } from '../lr/plaintext.js';
import { partiesWith, ProgramError, type Program, type ProgramContext } from '../program.js';
import { announceSchemas, broadcastNumber, gatherRows, localTable, rowsInOrder, withMpc } from './common.js';

export interface LrTrainParams {
  idColumn: string;
  labelParty: string;
  labelColumn: string;
  /** Feature columns per data party; announced by the parties when omitted. */
  schema?: Record<string, string[]>;
  receiver: string;
  hyper?: Partial<LrHyperparameters>;
  keepShared?: boolean;
  metrics?: boolean;
}

export const lrTrainProgram: Program = {
  name: 'lr-train',
  version: '1.0.0',
  summary: 'vertical logistic regression on PSI-aligned rows; model, AUC and KS to the receiver',
  moduleUrl: import.meta.url,
  async run(ctx: ProgramContext) {
    const p = ctx.plan.params as unknown as LrTrainParams;
    const dataParties = partiesWith(ctx.plan, 'data');
    if (!p.labelParty || !p.labelColumn || !p.idColumn || !p.receiver) {
      throw new ProgramError('lr-train needs idColumn, labelParty, labelColumn and receiver');
    }
    const hyper: LrHyperparameters = { ...DEFAULT_LR, ...(p.hyper ?? {}) };
    const isData = dataParties.includes(ctx.self);
    let features: Float64Array | undefined;
    let labels: Float64Array | undefined;
    let rows: number | undefined;
    const t0 = performance.now();
    let psiBytes = 0;
    let psiSeconds = 0;
    const table = isData ? localTable(ctx, p.idColumn) : undefined;
    if (table && ctx.self === p.labelParty && !table.columns.includes(p.labelColumn)) {
      throw new ProgramError(`the label column "${p.labelColumn}" is not in ${ctx.self}'s dataset`);
    }
    // Feature columns: as given, or announced by each data party (all but the id and label).
    const schema = p.schema ?? (await announceSchemas(ctx, dataParties, table?.columns.filter((c) => !(ctx.self === p.labelParty && c === p.labelColumn)), 'lr.schema'));
    if (table) {
      const bytes0 = ctx.net.meter.bytesSent();
      const psi = await runPsi(ctx.net, {
        parties: dataParties,
        receivers: dataParties,
        ids: table.ids,
        onProgress: (done, total) => ctx.progress('psi', done, total),
      });
      psiBytes = ctx.net.meter.bytesSent() - bytes0;
      psiSeconds = psi.stats.seconds;
      const aligned = psi.intersection!;
      rows = aligned.length;
      const order = rowsInOrder(table, aligned);
      features = gatherRows(table, order, schema[ctx.self] ?? []);
      if (ctx.self === p.labelParty) labels = gatherRows(table, order, [p.labelColumn]);
    }
    const n = await broadcastNumber(ctx, dataParties[0]!, rows, 'lr.rows');
    const featureParties = dataParties
      .filter((d) => (schema[d] ?? []).length > 0)
      .map((party) => ({ party, columns: schema[party]!.length }));
    let keep: Record<string, unknown> | undefined;
    const res = await withMpc(ctx, async (mpc) => {
      const out = await lrTrainMpc(
        mpc,
        { featureParties, labelParty: p.labelParty, rows: n, receiver: p.receiver, hyper, keepShared: p.keepShared, metrics: p.metrics },
        { features, labels },
        (phase, done, total) => ctx.progress(phase, done, total),
      );
      const names = featureParties.flatMap(({ party }) => schema[party]!.map((c) => `${party}.${c}`));
      if (out.shared && mpc.isCompute) {
        // This party's shares of [w…, b], for lr-predict with a shared model.
        keep = {
          modelShares: {
            protocol: ctx.plan.mpc!.protocol,
            computeParties: ctx.plan.mpc!.computeParties,
            features: names,
            parts: out.shared.parts.map((q) => Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64')),
          },
        };
      }
      if (ctx.self !== p.receiver) return undefined;
      return {
        rows: n,
        timings: { psi: psiSeconds, ...out.timings },
        ...(out.model ? { model: { ...out.model, features: names } } : {}),
        ...(out.metrics ? { auc: out.metrics.auc, ks: out.metrics.ks } : {}),
      };
    });
    if (keep) res.keep = keep;
    res.stats.seconds = (performance.now() - t0) / 1000;
    res.stats.bytesSent += psiBytes;
    return res;
  },
};
