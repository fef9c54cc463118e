/**
 * Program `psi` v1: ECDH private set intersection of the data parties' id columns.
 * Parameters: idColumn, receivers (who learn the result), cardinalityOnly.
 * Output at each receiver: { size } and, unless cardinality-only, { intersection }.
 */
import { runPsi } from '../../psi/index.js';
import { partiesWith, ProgramError, type Program } from '../program.js';
import { localTable } from './common.js';

export const psiProgram: Program = {
  name: 'psi',
  version: '1.0.0',
  summary: 'private set intersection of id columns; the intersection (or only its size) to the receivers',
  moduleUrl: import.meta.url,
  async run(ctx) {
    const idColumn = ctx.plan.params['idColumn'];
    const receivers = ctx.plan.params['receivers'];
    const cardinalityOnly = ctx.plan.params['cardinalityOnly'] === true;
    if (typeof idColumn !== 'string' || !Array.isArray(receivers)) throw new ProgramError('psi needs idColumn and receivers');
    const parties = partiesWith(ctx.plan, 'data');
    const t0 = performance.now();
    const bytes0 = ctx.net.meter.bytesSent();
    const ids = parties.includes(ctx.self) ? localTable(ctx, idColumn).ids : undefined;
    const r = parties.includes(ctx.self)
      ? await runPsi(ctx.net, {
          parties,
          receivers: receivers as string[],
          ids: ids!,
          cardinalityOnly,
          onProgress: (done, total) => ctx.progress('psi', done, total),
        })
      : undefined;
    const learnt = (receivers as string[]).includes(ctx.self);
    return {
      output: learnt && r ? { size: r.size ?? r.intersection?.length, ...(cardinalityOnly ? {} : { intersection: r.intersection }) } : undefined,
      stats: { seconds: (performance.now() - t0) / 1000, bytesSent: ctx.net.meter.bytesSent() - bytes0, rounds: 0 },
    };
  },
};
