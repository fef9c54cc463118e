/**
 * Program `lr-predict` v1: scores applicants with a logistic-regression model whose
 * features sit at several institutions (`lr/predict.ts`). The receiver names the applicants
 * by HMAC tags under a fresh key, so no id travels in clear; each data party looks its rows
 * up by tag. An applicant some data party does not hold is reported to the receiver as not
 * found (not by whom) and is not scored.
 *
 * Where the model comes from is what keeps the program from being an oracle (issue 9: a
 * receiver's one-hot weight vector would read a raw feature out). One of:
 * - `sharedModel` + `modelTask`: the secret-shared model an lr-train task with keepShared
 *   left at the compute parties — bound to that task's data owners, receiver and requester
 *   (`src/node/runner/kept-model.ts`); admission and the run both check the binding;
 * - `modelHash`: a model the data owners approved (its hash in each owner's guard
 *   `approvedModels`); the receiver sends it in clear to the session, every party checks
 *   its hash, and it is used as a public constant — the receiver cannot swap it;
 * - the receiver's own private model, only where every data owner allows it (guard
 *   `allowReceiverModel`, which `tacit run` sets: there every file is the user's own).
 *
 * Parameters: idColumn, receiver, count, and one of the above; `schema` optional.
 * Local: data parties `csv`; receiver `applicants` (ids) and `model`.
 * Output at the receiver: { scores, notFound? } — scores in the order asked (null for an
 * applicant not found), notFound the applicants not held by every data party.
 */
import { createHash } from 'node:crypto';
import { lrPredictMpc } from '../lr/predict.js';
import type { LrModel } from '../lr/plaintext.js';
import { partiesWith, ProgramError, type Program, type ProgramContext } from '../program.js';
import {
  ADMIT,
  admitWith,
  boundedParam,
  deadlineProblem,
  idColumnProblem,
  refuse,
  resolveGuards,
  sameParty,
  type AdmissionRequest,
  type GuardOverrides,
} from '../admission.js';
import { exchangeTags, gatherRows, localTable, rowsByTag, withMpc } from './common.js';
import { checkRange, DEFAULT_MAX_ABS_INPUT } from './local-data.js';
import { SecretTensor } from '../../mpc/tensor.js';
import { ownBytes } from '../../net/bytes.js';

/**
 * lr-predict's guards and defaults:
 * - allowReceiverModel false: a model the receiver inputs privately is refused.
 * - approvedModels []: hashes (`modelHashOf`) of models this node's owner approved.
 * - maxApplicants 1000: most applicants in one task.
 * - maxAbsInput 4096: largest |feature| fed into the engine (after the model's scaling).
 * - minSeconds 30: the least time before the deadline this node accepts.
 */
export const LR_PREDICT_GUARDS = {
  allowReceiverModel: false,
  approvedModels: [] as string[],
  maxApplicants: 1000,
  maxAbsInput: DEFAULT_MAX_ABS_INPUT,
  minSeconds: 30,
};

export type PredictModel = LrModel & { features?: string[]; scaleExponents?: number[] };

/** SHA-256 (hex) of a model's canonical JSON: what `approvedModels` and `modelHash` name. */
export function modelHashOf(m: PredictModel): string {
  const canonical = { weights: m.weights, intercept: m.intercept, features: m.features ?? [], scaleExponents: m.scaleExponents ?? [] };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

const sameSet = (a: string[], b: string[]) => {
  const A = new Set(a.map((x) => x.toLowerCase()));
  const B = new Set(b.map((x) => x.toLowerCase()));
  return A.size === B.size && [...A].every((x) => B.has(x));
};

function admitLrPredict(request: AdmissionRequest, overrides: GuardOverrides) {
  return admitWith(LR_PREDICT_GUARDS, overrides, (g) => {
    const p = request.params;
    const idProblem = idColumnProblem(request, p['idColumn']);
    if (idProblem) return refuse(idProblem);
    const bad = boundedParam('count', p['count'], 1, g.maxApplicants, true);
    if (bad) return refuse(bad);
    if (p['receiver'] !== undefined && !sameParty(p['receiver'] as string, request.receiver)) return refuse("parameter receiver differs from the task's receiver");
    const involved = request.roles.includes('data') || request.roles.includes('compute');
    if (p['sharedModel'] === true) {
      if (p['modelTask'] === undefined) return refuse('a shared model must name its training task (parameter modelTask)');
      const k = request.keptModel;
      if (involved) {
        if (!k) return refuse(`this node kept no model from task ${String(p['modelTask'])}: only a model an lr-train task with keepShared left over the same data owners can be used`);
        if (!sameSet(k.dataOwners, request.dataOwners)) return refuse(`the model of task ${k.task} was trained over other data owners than this task's`);
        if (!sameParty(k.receiver, request.receiver)) return refuse(`the model of task ${k.task} belongs to another receiver`);
        if (k.requester && request.requester && !sameParty(k.requester, request.requester)) return refuse(`the model of task ${k.task} belongs to another requester`);
        if (request.roles.includes('compute') && (k.protocol !== request.protocol || !sameSet(k.computeParties, request.computeParties))) {
          return refuse(`the model of task ${k.task} is shared among other compute parties or under another protocol`);
        }
        if (request.dataset) {
          const mine = k.features.filter((f) => sameParty(f.slice(0, f.indexOf('.')), request.self)).map((f) => f.slice(f.indexOf('.') + 1));
          for (const c of mine) if (!request.dataset.columns.includes(c)) return refuse(`the model's feature column "${c}" is not in this node's dataset`);
        }
      }
    } else if (typeof p['modelHash'] === 'string') {
      if (involved && !g.approvedModels.map((h) => h.toLowerCase().replace(/^0x/, '')).includes(p['modelHash'].toLowerCase().replace(/^0x/, ''))) {
        return refuse(`model ${p['modelHash']} is not among this node's approved models (guard approvedModels)`);
      }
    } else if (involved && !g.allowReceiverModel) {
      return refuse("lr-predict takes a model kept shared by a training task over the same data owners (sharedModel, modelTask) or one this node approved (modelHash in guard approvedModels), never the receiver's own weights");
    }
    const late = deadlineProblem(request, g.minSeconds);
    if (late) return refuse(late);
    return ADMIT;
  });
}

interface SharedModelShares {
  protocol: string;
  computeParties: string[];
  features: string[];
  scaleExponents?: number[];
  dataOwners?: string[];
  receiver?: string;
  parts: string[];
}

/** The public description of the model every party needs: feature names and scale exponents. */
interface ModelShape {
  features: string[];
  scaleExponents: number[];
}

async function announceShape(ctx: ProgramContext, announcer: string, known: ModelShape | undefined): Promise<ModelShape> {
  if (ctx.self === announcer) {
    if (!known) throw new ProgramError('the model has no feature names; pass a schema');
    const msg = Buffer.from(JSON.stringify(known));
    await Promise.all(ctx.plan.parties.filter((p) => p.id !== announcer).map((p) => ctx.net.send(p.id, 'predict.features', msg)));
    return known;
  }
  let got: unknown;
  try {
    got = JSON.parse(Buffer.from(await ctx.net.recv(announcer, 'predict.features')).toString('utf8'));
  } catch {
    got = undefined;
  }
  const s = got as Partial<ModelShape> | undefined;
  if (!s || !Array.isArray(s.features) || !s.features.every((x) => typeof x === 'string') || !Array.isArray(s.scaleExponents) || s.scaleExponents.length !== s.features.length || !s.scaleExponents.every((e) => Number.isInteger(e) && Math.abs(e) <= 1000)) {
    throw new ProgramError(`malformed model description from ${announcer}`);
  }
  return s as ModelShape;
}

export const lrPredictProgram: Program = {
  name: 'lr-predict',
  version: '1.0.0',
  summary: 'score applicants with features held at several institutions; scores to the receiver only',
  moduleUrl: import.meta.url,
  defaultGuards: LR_PREDICT_GUARDS,
  admit: admitLrPredict,
  async run(ctx) {
    const g = resolveGuards(LR_PREDICT_GUARDS, ctx.guards);
    const { idColumn, receiver, count } = ctx.plan.params as { idColumn: string; receiver: string; count: number };
    if (typeof idColumn !== 'string' || typeof receiver !== 'string' || !Number.isInteger(count) || count < 1) {
      throw new ProgramError('lr-predict needs idColumn, receiver and count');
    }
    const isData = new Set(partiesWith(ctx.plan, 'data'));
    const dataOwners = [...isData];
    const model = ctx.local['model'] as PredictModel | undefined;
    const shared = ctx.local['modelShares'] as SharedModelShares | undefined;
    const sharedModel = ctx.plan.params['sharedModel'] === true;
    const modelHash = typeof ctx.plan.params['modelHash'] === 'string' ? ctx.plan.params['modelHash'].toLowerCase().replace(/^0x/, '') : undefined;
    const mpcConfig = ctx.plan.mpc!;
    if (sharedModel && mpcConfig.computeParties.includes(ctx.self)) {
      if (!shared) throw new ProgramError(`${ctx.self} holds no shares of the model`, { hint: 'the model task must have run with keepShared, with these compute parties' });
      if (shared.protocol !== mpcConfig.protocol || shared.computeParties.join() !== mpcConfig.computeParties.join()) {
        throw new ProgramError('the shared model was made by another protocol or other compute parties');
      }
      if ((shared.dataOwners && !sameSet(shared.dataOwners, dataOwners)) || (shared.receiver && shared.receiver !== receiver)) {
        throw new ProgramError('the shared model was trained for other data owners or another receiver');
      }
    }
    // Where the model comes from (see the header); a data party refuses anything else.
    if (!sharedModel && !modelHash && isData.has(ctx.self) && !g.allowReceiverModel) {
      throw new ProgramError("this party takes no model from the receiver: use a model kept shared by lr-train (sharedModel) or an approved one (modelHash)");
    }
    let publicModel: number[] | undefined;
    let shape: ModelShape;
    if (modelHash) {
      // The approved model travels in clear; everyone checks it is the one named.
      if (ctx.self === receiver) {
        if (!model) throw new ProgramError('the receiver holds no model');
        const msg = Buffer.from(JSON.stringify(model));
        await Promise.all(ctx.plan.parties.filter((q) => q.id !== receiver).map((q) => ctx.net.send(q.id, 'predict.model', msg)));
      }
      let m: PredictModel | undefined = ctx.self === receiver ? model : undefined;
      if (ctx.self !== receiver) {
        try {
          m = JSON.parse(Buffer.from(await ctx.net.recv(receiver, 'predict.model')).toString('utf8')) as PredictModel;
        } catch {
          m = undefined;
        }
      }
      if (!m || !Array.isArray(m.weights) || typeof m.intercept !== 'number' || !Array.isArray(m.features) || modelHashOf(m) !== modelHash) {
        throw new ProgramError(`the model sent by ${receiver} is not the approved model ${modelHash}`);
      }
      const e = m.scaleExponents ?? m.features.map(() => 0);
      shape = { features: m.features, scaleExponents: e };
      publicModel = [...m.weights.map((w, j) => w * 2 ** e[j]!), m.intercept];
    } else {
      const announcer = sharedModel ? mpcConfig.computeParties[0]! : receiver;
      const source = sharedModel ? shared : model;
      const known = source?.features ? { features: source.features, scaleExponents: source.scaleExponents ?? source.features.map(() => 0) } : undefined;
      const given = ctx.plan.params['schema'] as Record<string, string[]> | undefined;
      // A schema in the (public) parameters is used by everyone; otherwise the holder announces.
      shape = given ? { features: Object.entries(given).flatMap(([q, cs]) => cs.map((c) => `${q}.${c}`)), scaleExponents: Object.values(given).flat().map(() => 0) } : await announceShape(ctx, announcer, known);
    }
    const schema: Record<string, string[]> = {};
    const exps: Record<string, number[]> = {};
    shape.features.forEach((name, j) => {
      const dot = name.indexOf('.');
      const party = name.slice(0, dot);
      (schema[party] ??= []).push(name.slice(dot + 1));
      (exps[party] ??= []).push(shape.scaleExponents[j]!);
    });
    if (Object.keys(schema).some((q) => !isData.has(q))) throw new ProgramError('the model names features of a party that brings no data to this task');
    // Model order: parties in order of their first feature.
    const featureParties = Object.keys(schema).filter((q) => schema[q]!.length > 0);
    let applicants = ctx.local['applicants'] as string[] | undefined;
    if (ctx.self === receiver) {
      if (!Array.isArray(applicants) || applicants.length !== count || !applicants.every((a) => typeof a === 'string' && a.trim() !== '')) {
        throw new ProgramError(`the receiver must name exactly ${count} applicants`);
      }
      applicants = applicants.map((a) => a.trim());
    }
    // Every data party looks the applicants up (an applicant must be held by all of them).
    const tags = await exchangeTags(ctx, receiver, dataOwners, applicants, 'predict.tags');
    let features: Float64Array | undefined;
    let present: Uint8Array | undefined;
    if (isData.has(ctx.self)) {
      if (tags!.tags.length !== count) throw new ProgramError(`the receiver sent ${tags!.tags.length} applicant tags, the task says ${count}`);
      const table = localTable(ctx, idColumn, { uniqueIds: true });
      const rows = rowsByTag(table, tags!.key, tags!.tags);
      present = Uint8Array.from(rows, (r) => (r < 0 ? 0 : 1));
      const cols = schema[ctx.self] ?? [];
      if (cols.length) {
        const div = exps[ctx.self]!.map((e) => 2 ** e);
        checkRange(table, rows, cols, g.maxAbsInput, div);
        const at = Int32Array.from(rows, (r) => (r < 0 ? 0 : r));
        features = gatherRows(table, at, cols);
        rows.forEach((r, i) => {
          for (let k = 0; k < cols.length; k++) features![i * cols.length + k] = r < 0 ? 0 : features![i * cols.length + k]! / div[k]!;
        });
      }
    }
    const localModel = ctx.self === receiver && model && !publicModel && !sharedModel
      ? { weights: model.weights.map((w, j) => w * 2 ** (shape.scaleExponents[j] ?? 0)), intercept: model.intercept }
      : undefined;
    const inputs = localModel ? [...localModel.weights, localModel.intercept] : (publicModel ?? []);
    for (const [j, w] of inputs.entries()) {
      if (!(Math.abs(w) <= 2 ** 30)) {
        const what = j < shape.features.length ? `the weight of ${shape.features[j]}` : 'the intercept';
        throw new ProgramError(`the model does not fit the fixed-point range: ${what} (times its scale) must be a number within ±2^30`);
      }
    }
    return withMpc(ctx, async (mpc) => {
      const d = featureParties.reduce((acc, q) => acc + schema[q]!.length, 0);
      const sharedTensor = sharedModel
        ? new SecretTensor([d + 1], 'fxp', shared && mpc.isCompute ? shared.parts.map((b64) => new BigUint64Array(ownBytes(Buffer.from(b64, 'base64')).buffer)) : [])
        : undefined;
      const out = await lrPredictMpc(
        mpc,
        {
          featureParties: featureParties.map((q) => ({ party: q, columns: schema[q]!.length })),
          rows: count,
          receiver,
          modelOwner: sharedModel || publicModel ? undefined : receiver,
          publicModel,
          presence: dataOwners,
        },
        { features, model: localModel, present },
        sharedTensor,
      );
      if (!out.scores) return undefined;
      const notFound = applicants!.filter((_, i) => out.missing?.[i]);
      const scores = Array.from(out.scores, (s, i) => (out.missing?.[i] ? null : s));
      return notFound.length ? { scores, notFound } : { scores };
    });
  },
};
