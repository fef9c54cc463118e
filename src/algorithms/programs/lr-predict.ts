/**
 * Program `lr-predict` v1: scores applicants with a logistic-regression model whose
 * features sit at several institutions (`lr/predict.ts`). The receiver names the applicants
 * by HMAC tags under a fresh key, so no id travels in clear; each data party looks its rows
 * up by tag (an applicant it does not know scores with zeros for its features and is
 * reported as missing to nobody but itself).
 * Parameters: idColumn, schema: { party: feature columns }, receiver, count (applicants).
 * Local: data parties `csv`; receiver `applicants` (ids) and `model` ({ weights, intercept }).
 * Output at the receiver: { scores }.
 */
import { lrPredictMpc } from '../lr/predict.js';
import type { LrModel } from '../lr/plaintext.js';
import { partiesWith, ProgramError, type Program } from '../program.js';
import { exchangeTags, gatherRows, localTable, rowsByTag, withMpc } from './common.js';
import { SecretTensor } from '../../mpc/tensor.js';
import { ownBytes } from '../../net/bytes.js';

export const lrPredictProgram: Program = {
  name: 'lr-predict',
  version: '1.0.0',
  summary: 'score applicants with features held at several institutions; scores to the receiver only',
  moduleUrl: import.meta.url,
  async run(ctx) {
    const { idColumn, receiver, count } = ctx.plan.params as { idColumn: string; receiver: string; count: number };
    if (typeof idColumn !== 'string' || typeof receiver !== 'string' || !Number.isInteger(count) || count < 1) {
      throw new ProgramError('lr-predict needs idColumn, receiver and count');
    }
    // The model's feature names ("party.column", from lr-train) say which party brings which
    // columns, in model order; the receiver, who holds the model, announces them (names are
    // public, weights are not). A plan may also give `schema` directly.
    const model = ctx.local['model'] as (LrModel & { features?: string[] }) | undefined;
    // A model kept secret-shared by lr-train (keepShared): each compute party brings its shares.
    const shared = ctx.local['modelShares'] as { protocol: string; computeParties: string[]; features: string[]; parts: string[] } | undefined;
    const sharedModel = (ctx.plan.params as { sharedModel?: boolean }).sharedModel === true;
    const mpcConfig = ctx.plan.mpc!;
    if (sharedModel && mpcConfig.computeParties.includes(ctx.self)) {
      if (!shared) throw new ProgramError(`${ctx.self} holds no shares of the model`, { hint: 'the model task must have run with keepShared, with these compute parties' });
      if (shared.protocol !== mpcConfig.protocol || shared.computeParties.join() !== mpcConfig.computeParties.join()) {
        throw new ProgramError('the shared model was made by another protocol or other compute parties');
      }
    }
    const announcer = sharedModel ? mpcConfig.computeParties[0]! : receiver;
    let schema = (ctx.plan.params as { schema?: Record<string, string[]> }).schema;
    if (!schema) {
      let names: string[];
      if (ctx.self === announcer) {
        const known = sharedModel ? shared?.features : model?.features;
        if (!known) throw new ProgramError('the model has no feature names; pass a schema');
        names = known;
        const msg = Buffer.from(JSON.stringify(names));
        await Promise.all(ctx.plan.parties.filter((p) => p.id !== announcer).map((p) => ctx.net.send(p.id, 'predict.features', msg)));
      } else {
        names = JSON.parse(Buffer.from(await ctx.net.recv(announcer, 'predict.features')).toString('utf8')) as string[];
        if (!Array.isArray(names) || !names.every((x) => typeof x === 'string')) throw new ProgramError(`malformed feature list from ${receiver}`);
      }
      schema = {};
      for (const name of names) {
        const dot = name.indexOf('.');
        const party = name.slice(0, dot);
        (schema[party] ??= []).push(name.slice(dot + 1));
      }
    }
    // Model order: parties in order of their first feature.
    const isData = new Set(partiesWith(ctx.plan, 'data'));
    const dataParties = Object.keys(schema).filter((p) => isData.has(p) && schema![p]!.length > 0);
    if (Object.keys(schema).some((p) => !isData.has(p))) throw new ProgramError('the model names features of a party that brings no data to this task');
    const applicants = ctx.local['applicants'] as string[] | undefined;
    if (ctx.self === receiver && (!Array.isArray(applicants) || applicants.length !== count)) {
      throw new ProgramError(`the receiver must name exactly ${count} applicants`);
    }
    const tags = await exchangeTags(ctx, receiver, dataParties, applicants, 'predict.tags');
    let features: Float64Array | undefined;
    if (dataParties.includes(ctx.self)) {
      const table = localTable(ctx, idColumn);
      const rows = rowsByTag(table, tags!.key, tags!.tags);
      const cols = schema[ctx.self]!;
      const present = Int32Array.from(rows, (r) => (r < 0 ? 0 : r));
      features = gatherRows(table, present, cols);
      rows.forEach((r, i) => {
        if (r < 0) features!.fill(0, i * cols.length, (i + 1) * cols.length);
      });
    }
    return withMpc(ctx, async (mpc) => {
      const d = dataParties.reduce((acc, p) => acc + schema![p]!.length, 0);
      const sharedTensor = sharedModel
        ? new SecretTensor([d + 1], 'fxp', shared && mpc.isCompute ? shared.parts.map((b64) => new BigUint64Array(ownBytes(Buffer.from(b64, 'base64')).buffer)) : [])
        : undefined;
      const out = await lrPredictMpc(
        mpc,
        { featureParties: dataParties.map((p) => ({ party: p, columns: schema![p]!.length })), rows: count, receiver, modelOwner: sharedModel ? undefined : receiver },
        { features, model },
        sharedTensor,
      );
      return out.scores ? { scores: Array.from(out.scores) } : undefined;
    });
  },
};
