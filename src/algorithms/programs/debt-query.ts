/**
 * Program `debt-query` v1: applicants' total outstanding debt across lenders and the
 * number of lenders holding some, to the receiver only (`../debt-query.ts`).
 *
 * The receiver draws a fresh key and sends each lender the key and the tags
 * HMAC-SHA256(key, id) (RFC 2104): the ids themselves never travel. A lender finds its rows
 * by tagging its own ids: a lender holding an applicant recognises it (as a credit inquiry
 * is recorded at the lender); one that does not learns only a tag under a one-time key,
 * which reveals the id only to a dictionary search over candidate ids.
 * Parameters: idColumn, balanceColumn, receiver, count (applicants, default 1). Lenders
 * are the data parties. Local: lenders `csv`; receiver `applicants` (or one `applicant`).
 * Output at the receiver: { total, lenders } for one applicant, and
 * { results: [{ applicant, total, lenders }] } for several, in the order asked.
 *
 * Guards (`DEBT_QUERY_GUARDS`): at least `minLenders` lenders (default 3), and the receiver
 * is not one of them — with two lenders, or a receiver that lends, the total minus what the
 * receiver knows is one other lender's book entry.
 */
import { debtQueryManyMpc } from '../debt-query.js';
import { partiesWith, ProgramError, type Program } from '../program.js';
import { ADMIT, admitWith, boundedParam, deadlineProblem, idColumnProblem, refuse, sameParty, type AdmissionRequest, type GuardOverrides } from '../admission.js';
import { exchangeTags, localTable, tagOf, withMpc } from './common.js';
import { whereIs } from './local-data.js';

/**
 * debt-query's guards and defaults:
 * - minLenders 3: fewest distinct lenders (data owners) a query may have.
 * - receiverMayLend false: when false, the receiver must not be one of the lenders.
 * - maxApplicants 100: most applicants in one task.
 * - minSeconds 30: the least time before the deadline this node accepts.
 */
export const DEBT_QUERY_GUARDS = {
  minLenders: 3,
  receiverMayLend: false,
  maxApplicants: 100,
  minSeconds: 30,
};

function admitDebtQuery(request: AdmissionRequest, overrides: GuardOverrides) {
  return admitWith(DEBT_QUERY_GUARDS, overrides, (g) => {
    const p = request.params;
    const idProblem = idColumnProblem(request, p['idColumn']);
    if (idProblem) return refuse(idProblem);
    if (typeof p['balanceColumn'] !== 'string' || p['balanceColumn'] === '') return refuse('parameter balanceColumn must name the balance column');
    if (request.dataset && !request.dataset.columns.includes(p['balanceColumn'])) return refuse(`the balance column "${p['balanceColumn']}" is not in this node's dataset`);
    if (p['receiver'] !== undefined && !sameParty(p['receiver'] as string, request.receiver)) return refuse("parameter receiver differs from the task's receiver");
    const count = p['count'] ?? 1;
    const bad = boundedParam('count', count, 1, g.maxApplicants, true);
    if (bad) return refuse(bad);
    const lenders = new Set(request.dataOwners.map((o) => o.toLowerCase()));
    if (lenders.size < g.minLenders) return refuse(`a debt query needs at least ${g.minLenders} lenders (guard minLenders); it has ${lenders.size}`);
    if (!g.receiverMayLend && lenders.has(request.receiver.toLowerCase())) return refuse('the receiver of a debt query must not be one of its lenders (guard receiverMayLend)');
    const late = deadlineProblem(request, g.minSeconds);
    if (late) return refuse(late);
    return ADMIT;
  });
}

export const debtQueryProgram: Program = {
  name: 'debt-query',
  version: '1.0.0',
  summary: "applicants' total debt and number of lenders, without revealing any lender's part",
  moduleUrl: import.meta.url,
  defaultGuards: DEBT_QUERY_GUARDS,
  admit: admitDebtQuery,
  async run(ctx) {
    const { idColumn, balanceColumn, receiver } = ctx.plan.params as { idColumn: string; balanceColumn: string; receiver: string };
    const count = (ctx.plan.params['count'] as number | undefined) ?? 1;
    if (typeof idColumn !== 'string' || typeof balanceColumn !== 'string' || typeof receiver !== 'string' || !Number.isInteger(count) || count < 1) {
      throw new ProgramError('debt-query needs idColumn, balanceColumn, receiver and a whole count ≥ 1');
    }
    const lenders = partiesWith(ctx.plan, 'data');
    let applicants: string[] | undefined;
    if (ctx.self === receiver) {
      const many = ctx.local['applicants'];
      const one = ctx.local['applicant'];
      applicants = Array.isArray(many) ? (many as string[]) : typeof one === 'string' ? [one] : undefined;
      if (!applicants || applicants.length !== count || !applicants.every((a) => typeof a === 'string' && a.trim() !== '')) {
        throw new ProgramError(`the receiver must name exactly ${count} applicant${count === 1 ? '' : 's'}`);
      }
      applicants = applicants.map((a) => a.trim());
    }
    const tags = await exchangeTags(ctx, receiver, lenders, applicants, 'debt.tags');
    let balances: number[] | undefined;
    if (lenders.includes(ctx.self)) {
      if (tags!.tags.length !== count) throw new ProgramError(`the receiver sent ${tags!.tags.length} applicant tags, the task says ${count}`);
      const table = localTable(ctx, idColumn);
      const col = table.columns.indexOf(balanceColumn);
      if (col < 0) throw new ProgramError(`no column "${balanceColumn}" in ${ctx.self}'s table`);
      const want = new Map(tags!.tags.map((t, k) => [t.toString('hex'), k]));
      balances = new Array<number>(count).fill(0);
      const w = table.columns.length;
      // Every row of an applicant counts (a lender may hold several loans).
      table.ids.forEach((id, i) => {
        const k = want.get(tagOf(tags!.key, id).toString('hex'));
        if (k === undefined) return;
        const v = table.values[i * w + col]!;
        if (!(v >= 0)) throw new ProgramError(`the balance column "${balanceColumn}" has a negative value`, { details: whereIs(table, i, balanceColumn), hint: 'Balances are amounts owed, ≥ 0.' });
        balances![k]! += Math.round(v * 100);
      });
    }
    return withMpc(ctx, async (mpc) => {
      const out = await debtQueryManyMpc(mpc, { lenders, receiver }, count, balances);
      if (!out.totals) return undefined;
      const results = applicants!.map((applicant, k) => ({ applicant, total: out.totals![k]! / 100, lenders: out.lenders![k]! }));
      return count === 1 ? { total: results[0]!.total, lenders: results[0]!.lenders } : { results };
    });
  },
};
