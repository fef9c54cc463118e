/**
 * Program `psi` v1: private set intersection of the data parties' id columns.
 * Parameters: idColumn, receivers (who learn the result), cardinalityOnly, psiProtocol.
 * Output at each receiver: { size } and, unless cardinality-only, { intersection }.
 */
import { PSI_PROTOCOLS, runPsiWith, type PsiProtocol } from '../../psi/index.js';
import { partiesWith, ProgramError, type Program } from '../program.js';
import { localTable } from './common.js';
import { readCsvTable } from '../../data/csv.js';

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
    // psiProtocol: oprf | ecdh; absent, the fastest that can do the job (src/psi/select.ts).
    const protocol = ctx.plan.params['psiProtocol'];
    if (protocol !== undefined && !PSI_PROTOCOLS.includes(protocol as PsiProtocol)) throw new ProgramError('psiProtocol must be oprf or ecdh');
    const parties = partiesWith(ctx.plan, 'data');
    const t0 = performance.now();
    const bytes0 = ctx.net.meter.bytesSent();
    // A set has no duplicates: a CSV with a repeated id is refused, naming its lines.
    const csv = ctx.local['csv'];
    const table = !parties.includes(ctx.self) ? undefined : typeof csv === 'string' && !ctx.local['table'] ? readCsvTable(csv, { idColumn, uniqueIds: true }) : localTable(ctx, idColumn);
    const ids = table?.ids;
    const r = parties.includes(ctx.self)
      ? await runPsiWith(ctx.net, {
          protocol: protocol as PsiProtocol | undefined,
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
