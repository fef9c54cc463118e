/**
 * Program `lr-train` v1: PSI alignment of the data parties' rows, then vertical logistic
 * regression under MPC (`lr/train.ts`). Parameters (public, the same at every party):
 *   idColumn, labelParty, labelColumn, schema: { party: feature column names },
 *   receiver, hyper: LrHyperparameters, keepShared?, revealModel?, metrics?,
 *   curvePoints? (ROC and KS curves at that many cut-offs), standardize? (default true)
 * Local input at each data party: `csv` (its table). Output at the receiver:
 *   { model: { weights, intercept, features, scaleExponents }, auc, ks, curve?, rows }.
 * The data parties learn the aligned ids (as in FATE's hetero-LR); compute-only parties
 * learn only the number of aligned rows.
 *
 * Each feature owner scales its own columns locally before sharing them
 * (`local-data.ts`: centred, divided by a public power of two), so fixed-point products
 * cannot wrap; the model comes back on the original scale (weights divided by 2^e at the
 * receiver, the intercept moved back under MPC). Guards (`LR_TRAIN_GUARDS`) bound rows,
 * hyperparameters, input range and running time; `admit` checks them before consent and
 * `run` re-checks what only the run knows (the aligned rows, the values).
 */
import { runPsiWith } from '../../psi/index.js';
import { lrTrainMpc } from '../lr/train.js';
import { DEFAULT_LR, type LrHyperparameters } from '../lr/plaintext.js';
import { partiesWith, ProgramError, type Program, type ProgramContext } from '../program.js';
import {
  admitWith,
  ADMIT,
  boundedParam,
  deadlineProblem,
  idColumnProblem,
  largestKnownRows,
  refuse,
  resolveGuards,
  sameParty,
  type AdmissionRequest,
  type GuardOverrides,
} from '../admission.js';
import { announceSchemas, broadcastNumber, localTable, rowsInOrder, withMpc } from './common.js';
import { DEFAULT_MAX_ABS_INPUT, prepareColumns, prepareLabels } from './local-data.js';
import { ownBytes } from '../../net/bytes.js';

export interface LrTrainParams {
  idColumn: string;
  labelParty: string;
  labelColumn: string;
  /** Feature columns per data party; announced by the parties when omitted. */
  schema?: Record<string, string[]>;
  receiver: string;
  hyper?: Partial<LrHyperparameters>;
  keepShared?: boolean;
  /** With keepShared: reveal the model to the receiver as well. */
  revealModel?: boolean;
  metrics?: boolean;
  curvePoints?: number;
  /** Scale each party's columns locally (default true). */
  standardize?: boolean;
}

/**
 * lr-train's guards and defaults (node.json `policy.guards` overrides each by name):
 * - minRows 100: fewest rows this node's dataset, and the aligned rows, may have (a model
 *   over a handful of rows reads them out).
 * - maxEpochs 100, maxBatchSize 8192 (0 = full batch counts as all rows), maxLearningRate 10,
 *   maxL2 10: bounded hyperparameters (epochs ≥ 1, learning rate > 0, l2 ≥ 0 always).
 * - maxAbsInput 4096: the largest |value| a party feeds into the fixed-point engine, after
 *   its local scaling (with 18 fractional bits a product then stays below 2^27, and a
 *   batch gradient below 2^26 — no wrap).
 * - baseSeconds 60, secondsPerRow 1e-3, secondsPerCell 5e-7: the running-time estimate
 *   base + rows × secondsPerRow (PSI, sharing, metrics) + rows × features × epochs ×
 *   secondsPerCell (training), about 3–10× the measured figures (docs/architecture.md);
 *   a task whose deadline is closer than the estimate is refused.
 */
export const LR_TRAIN_GUARDS = {
  minRows: 100,
  maxEpochs: 100,
  maxBatchSize: 8192,
  maxLearningRate: 10,
  maxL2: 10,
  maxAbsInput: DEFAULT_MAX_ABS_INPUT,
  baseSeconds: 60,
  secondsPerRow: 1e-3,
  secondsPerCell: 5e-7,
};

/** Estimated seconds for `rows` aligned rows, `features` columns and `epochs` (see the guards). */
export function lrTrainSeconds(g: typeof LR_TRAIN_GUARDS, rows: number, features: number, epochs: number): number {
  return g.baseSeconds + rows * g.secondsPerRow + rows * features * epochs * g.secondsPerCell;
}

function hyperProblem(h: LrHyperparameters, g: typeof LR_TRAIN_GUARDS, rows: number): string | undefined {
  const epochs = boundedParam('hyper.epochs', h.epochs, 1, g.maxEpochs, true);
  if (epochs) return h.epochs === 0 ? 'parameter hyper.epochs must be at least 1 (0 epochs trains nothing)' : epochs;
  const batch = boundedParam('hyper.batchSize', h.batchSize, 0, Number.MAX_SAFE_INTEGER, true);
  if (batch) return batch;
  const effective = h.batchSize <= 0 || h.batchSize >= rows ? rows : h.batchSize;
  if (effective > g.maxBatchSize) return `parameter hyper.batchSize: batches of ${h.batchSize <= 0 ? 'all rows' : h.batchSize} exceed this node's bound of ${g.maxBatchSize} rows`;
  if (typeof h.learningRate !== 'number' || !(h.learningRate > 0) || h.learningRate > g.maxLearningRate) {
    return `parameter hyper.learningRate must be above 0 and at most ${g.maxLearningRate}`;
  }
  const l2 = boundedParam('hyper.l2', h.l2, 0, g.maxL2);
  if (l2) return l2;
  if (typeof h.fitIntercept !== 'boolean') return 'parameter hyper.fitIntercept must be true or false';
  return undefined;
}

function admitLrTrain(request: AdmissionRequest, overrides: GuardOverrides) {
  return admitWith(LR_TRAIN_GUARDS, overrides, (g) => {
    const p = request.params as Partial<LrTrainParams>;
    const idProblem = idColumnProblem(request, p.idColumn);
    if (idProblem) return refuse(idProblem);
    if (typeof p.labelColumn !== 'string' || p.labelColumn === '') return refuse('parameter labelColumn must name the label column');
    if (typeof p.labelParty !== 'string' || !request.dataOwners.some((o) => sameParty(o, p.labelParty))) return refuse('parameter labelParty must be one of the task\'s data owners');
    if (p.receiver !== undefined && !sameParty(p.receiver, request.receiver)) return refuse('parameter receiver differs from the task\'s receiver');
    const curve = p.curvePoints === undefined ? undefined : boundedParam('curvePoints', p.curvePoints, 2, 100, true);
    if (curve) return refuse(curve);
    const hyper: LrHyperparameters = { ...DEFAULT_LR, ...(p.hyper ?? {}) };
    const ds = request.dataset;
    const rows = largestKnownRows(request);
    if (ds) {
      if (ds.rows < g.minRows) return refuse(`this node's dataset has fewer rows than its guard minRows (${g.minRows})`);
      const isLabel = sameParty(p.labelParty, request.self);
      if (isLabel && !ds.columns.includes(p.labelColumn)) return refuse(`the label column "${p.labelColumn}" is not in this node's dataset`);
      if (isLabel && ds.ranges?.[p.labelColumn] && ds.ranges[p.labelColumn]!.min === ds.ranges[p.labelColumn]!.max) {
        return refuse(`the label column "${p.labelColumn}" has only one class in this node's dataset`);
      }
      const mine = p.schema ? Object.entries(p.schema).find(([k]) => sameParty(k, request.self))?.[1] : undefined;
      for (const c of mine ?? []) if (!ds.columns.includes(c)) return refuse(`the feature column "${c}" is not in this node's dataset`);
    }
    if (request.datasetRows?.some((r) => r < g.minRows)) return refuse(`a dataset of the task has fewer rows than this node's guard minRows (${g.minRows})`);
    const problem = hyperProblem(hyper, g, Math.max(rows, 1));
    if (problem) return refuse(problem);
    const features = p.schema
      ? Object.values(p.schema).reduce((s, c) => s + (Array.isArray(c) ? c.length : 0), 0)
      : (ds?.columns.length ?? 1) * Math.max(1, request.dataOwners.length);
    const late = deadlineProblem(request, lrTrainSeconds(g, rows, features, hyper.epochs));
    if (late) return refuse(late);
    return ADMIT;
  });
}

export const lrTrainProgram: Program = {
  name: 'lr-train',
  version: '1.0.0',
  summary: 'vertical logistic regression on PSI-aligned rows; model, AUC and KS to the receiver',
  moduleUrl: import.meta.url,
  defaultGuards: LR_TRAIN_GUARDS,
  admit: admitLrTrain,
  async run(ctx: ProgramContext) {
    const p = ctx.plan.params as unknown as LrTrainParams;
    const g = resolveGuards(LR_TRAIN_GUARDS, ctx.guards);
    const dataParties = partiesWith(ctx.plan, 'data');
    if (!p.labelParty || !p.labelColumn || !p.idColumn || !p.receiver) {
      throw new ProgramError('lr-train needs idColumn, labelParty, labelColumn and receiver');
    }
    const hyper: LrHyperparameters = { ...DEFAULT_LR, ...(p.hyper ?? {}) };
    const scale = p.standardize !== false;
    const isData = dataParties.includes(ctx.self);
    let features: Float64Array | undefined;
    let offsets: Float64Array | undefined;
    let labels: Float64Array | undefined;
    let exponents: number[] | undefined;
    let rows: number | undefined;
    const t0 = performance.now();
    let psiBytes = 0;
    let psiSeconds = 0;
    const table = isData ? localTable(ctx, p.idColumn, { uniqueIds: true }) : undefined;
    if (table && ctx.self === p.labelParty && !table.columns.includes(p.labelColumn)) {
      throw new ProgramError(`the label column "${p.labelColumn}" is not in ${ctx.self}'s dataset`);
    }
    // Feature columns: as given, or announced by each data party (all but the id and label).
    const schema = p.schema ?? (await announceSchemas(ctx, dataParties, table?.columns.filter((c) => !(ctx.self === p.labelParty && c === p.labelColumn)), 'lr.schema'));
    let failure: Error | undefined;
    if (table) {
      const bytes0 = ctx.net.meter.bytesSent();
      const psi = await runPsiWith(ctx.net, {
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
      try {
        const prepared = prepareColumns(table, order, schema[ctx.self] ?? [], { scale, maxAbs: g.maxAbsInput });
        features = prepared.values;
        offsets = Float64Array.from(prepared.offsets);
        exponents = prepared.exponents;
        if (ctx.self === p.labelParty && rows >= g.minRows) labels = prepareLabels(table, order, p.labelColumn);
      } catch (err) {
        failure = err as Error;
      }
    }
    const n = await broadcastNumber(ctx, dataParties[0]!, rows, 'lr.rows');
    if (n < g.minRows) throw new ProgramError(`only ${n} rows are aligned, fewer than the guard minRows (${g.minRows})`, { hint: 'The parties share too few ids for a model that does not expose them.' });
    if (failure) throw failure;
    const featureParties = dataParties
      .filter((d) => (schema[d] ?? []).length > 0)
      .map((party) => ({ party, columns: schema[party]!.length }));
    // Every feature party announces its columns' scale exponents (public: orders of magnitude).
    const allExponents = await announceExponents(ctx, featureParties.map((f) => f.party), exponents, schema);
    let keep: Record<string, unknown> | undefined;
    const names = featureParties.flatMap(({ party }) => schema[party]!.map((c) => `${party}.${c}`));
    const scaleExponents = featureParties.flatMap(({ party }) => allExponents[party]!);
    const res = await withMpc(ctx, async (mpc) => {
      const out = await lrTrainMpc(
        mpc,
        { featureParties, labelParty: p.labelParty, rows: n, receiver: p.receiver, hyper, keepShared: p.keepShared, revealModel: p.revealModel, metrics: p.metrics, curvePoints: p.curvePoints ?? 0, centred: true },
        { features, labels, offsets },
        (phase, done, total) => ctx.progress(phase, done, total),
      );
      if (out.shared && mpc.isCompute) {
        // This party's shares of [w'…, b] (w' per 2^e unit), for lr-predict with a shared model,
        // with what the model is bound to (the node adds the task and its requester).
        keep = {
          modelShares: {
            protocol: ctx.plan.mpc!.protocol,
            computeParties: ctx.plan.mpc!.computeParties,
            features: names,
            scaleExponents,
            dataOwners: dataParties,
            receiver: p.receiver,
            parts: out.shared.parts.map((q) => Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64')),
          },
        };
      }
      if (p.keepShared && !mpc.isCompute && dataParties.includes(ctx.self)) {
        // A data owner without shares keeps the binding, so that it too can check a later
        // lr-predict that claims this model (admission: algorithms/admission.ts keptModel).
        keep = {
          modelBinding: { protocol: ctx.plan.mpc!.protocol, computeParties: ctx.plan.mpc!.computeParties, features: names, scaleExponents, dataOwners: dataParties, receiver: p.receiver },
        };
      }
      if (ctx.self !== p.receiver) return undefined;
      return {
        rows: n,
        timings: { psi: psiSeconds, ...out.timings },
        ...(out.model ? { model: originalScale(out.model, names, scaleExponents) } : {}),
        ...(out.metrics ? { auc: out.metrics.auc, ks: out.metrics.ks, ...(out.metrics.curve ? { curve: out.metrics.curve } : {}) } : {}),
      };
    });
    if (keep) res.keep = keep;
    res.stats.seconds = (performance.now() - t0) / 1000;
    res.stats.bytesSent += psiBytes;
    return res;
  },
};

/** The opened model (weights per 2^e unit, intercept already moved back) on the original scale. */
function originalScale(model: { weights: number[]; intercept: number }, features: string[], exponents: number[]) {
  return { weights: model.weights.map((w, j) => w / 2 ** exponents[j]!), intercept: model.intercept, features, scaleExponents: exponents };
}

/** Each feature party sends its exponents (small integers) to every member; returns them all. */
async function announceExponents(
  ctx: ProgramContext,
  featureParties: string[],
  mine: number[] | undefined,
  schema: Record<string, string[]>,
): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  const members = ctx.plan.parties.map((q) => q.id);
  if (featureParties.includes(ctx.self)) {
    const e = mine ?? [];
    out[ctx.self] = e;
    const msg = new Uint8Array(Int8Array.from(e).buffer);
    await Promise.all(members.filter((m) => m !== ctx.self).map((m) => ctx.net.send(m, 'lr.scale', msg)));
  }
  for (const f of featureParties) {
    if (f === ctx.self) continue;
    const want = schema[f]!.length;
    const got = new Int8Array(ownBytes(await ctx.net.recv(f, 'lr.scale', want)).buffer);
    if (got.length !== want) throw new ProgramError(`malformed scale announcement from ${f}`);
    out[f] = Array.from(got);
  }
  return out;
}
