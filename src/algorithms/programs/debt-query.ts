/**
 * Program `debt-query` v1: an applicant's total outstanding debt across lenders and the
 * number of lenders holding some, to the receiver only (`../debt-query.ts`).
 *
 * The receiver draws a fresh key and sends each lender the key and the tag
 * HMAC-SHA256(key, id) (RFC 2104): the id itself never travels. A lender finds its row by
 * tagging its own ids: a lender holding the applicant recognises it (as a credit inquiry
 * is recorded at the lender); one that does not learns only a tag under a one-time key,
 * which reveals the id only to a dictionary search over candidate ids.
 * Parameters: idColumn, balanceColumn, receiver. Lenders are the data parties.
 * Local: lenders `csv`; receiver `applicant`. Output at the receiver: { total, lenders }.
 */
import { debtQueryMpc } from '../debt-query.js';
import { partiesWith, ProgramError, type Program } from '../program.js';
import { exchangeTags, localTable, tagOf, withMpc } from './common.js';

export const debtQueryProgram: Program = {
  name: 'debt-query',
  version: '1.0.0',
  summary: "an applicant's total debt and number of lenders, without revealing any lender's part",
  moduleUrl: import.meta.url,
  async run(ctx) {
    const { idColumn, balanceColumn, receiver } = ctx.plan.params as { idColumn: string; balanceColumn: string; receiver: string };
    if (typeof idColumn !== 'string' || typeof balanceColumn !== 'string' || typeof receiver !== 'string') {
      throw new ProgramError('debt-query needs idColumn, balanceColumn and receiver');
    }
    const lenders = partiesWith(ctx.plan, 'data');
    const applicant = ctx.local['applicant'];
    if (ctx.self === receiver && typeof applicant !== 'string') throw new ProgramError('the receiver must name the applicant');
    const tags = await exchangeTags(ctx, receiver, lenders, ctx.self === receiver ? [applicant as string] : undefined, 'debt.tags');
    let balance: number | undefined;
    if (lenders.includes(ctx.self)) {
      const table = localTable(ctx, idColumn);
      const col = table.columns.indexOf(balanceColumn);
      if (col < 0) throw new ProgramError(`no column "${balanceColumn}" in ${ctx.self}'s table`);
      balance = 0;
      // Every row of the applicant counts (a lender may hold several loans).
      const want = tags!.tags[0]!;
      const w = table.columns.length;
      table.ids.forEach((id, i) => {
        if (tagOf(tags!.key, id).equals(want)) {
          const v = table.values[i * w + col]!;
          if (v < 0) throw new ProgramError(`${ctx.self}: a negative balance on row ${i + 1}`, { hint: 'Balances are amounts owed, ≥ 0.' });
          balance! += Math.round(v * 100);
        }
      });
    }
    return withMpc(ctx, async (mpc) => {
      const out = await debtQueryMpc(mpc, { lenders, receiver }, balance);
      return out.total === undefined ? undefined : { total: out.total / 100, lenders: out.lenders };
    });
  },
};
