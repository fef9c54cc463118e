/**
 * Program `psi` v1: private set intersection of the data parties' id columns.
 * Parameters: idColumn, receivers (who learn the result), cardinalityOnly, psiProtocol.
 * Output at each receiver: { size } and, unless cardinality-only, { intersection }.
 *
 * Guards (`PSI_GUARDS`, node.json `policy.guards`): a data owner refuses sets smaller than
 * `minSetSize` (its own, and every dataset's on-chain row count it is told) — a PSI with a
 * handful of ids is a membership oracle ("is this person your customer?"); with
 * `requireCardinalityOnly` it takes part only in size-only tasks; receivers must be data
 * owners of the task (PSI receivers take part in the protocol); and the deadline must
 * leave time for the masking of the largest set.
 */
import { PSI_PROTOCOLS, runPsiWith, type PsiProtocol } from '../../psi/index.js';
import { partiesWith, ProgramError, type Program } from '../program.js';
import { ADMIT, admitWith, deadlineProblem, idColumnProblem, largestKnownRows, refuse, sameParty, type AdmissionRequest, type GuardOverrides } from '../admission.js';
import { localTable } from './common.js';
import { readCsvTable } from '../../data/csv.js';

/**
 * psi's guards and defaults:
 * - minSetSize 100: fewest ids of any set (this node's own, and the on-chain row counts).
 * - requireCardinalityOnly false: when true, only tasks with cardinalityOnly are taken.
 * - baseSeconds 30, secondsPerId 5e-4: the time estimate (measured ~1.2e-4 s per id at
 *   2^20 ids, docs/architecture.md), compared with the time left to the deadline.
 */
export const PSI_GUARDS = {
  minSetSize: 100,
  requireCardinalityOnly: false,
  baseSeconds: 30,
  secondsPerId: 5e-4,
};

function admitPsi(request: AdmissionRequest, overrides: GuardOverrides) {
  return admitWith(PSI_GUARDS, overrides, (g) => {
    const p = request.params;
    const idProblem = idColumnProblem(request, p['idColumn']);
    if (idProblem) return refuse(idProblem);
    if (p['cardinalityOnly'] !== undefined && typeof p['cardinalityOnly'] !== 'boolean') return refuse('parameter cardinalityOnly must be true or false');
    if (g.requireCardinalityOnly && p['cardinalityOnly'] !== true) return refuse('this node takes part in size-only PSI tasks only (guard requireCardinalityOnly)');
    const receivers = p['receivers'];
    if (receivers !== undefined) {
      if (!Array.isArray(receivers) || receivers.length === 0 || !receivers.every((r) => typeof r === 'string')) return refuse('parameter receivers must list the parties that learn the result');
      for (const r of receivers as string[]) {
        if (!request.dataOwners.some((o) => sameParty(o, r))) return refuse('a PSI receiver must be a data owner of the task');
      }
    } else if (request.receiver && !request.dataOwners.some((o) => sameParty(o, request.receiver))) {
      return refuse('the receiver of a PSI task must be one of its data owners');
    }
    if (request.dataOwners.length < 2) return refuse('PSI needs at least two data owners');
    if (request.dataset && request.dataset.rows < g.minSetSize) return refuse(`this node's set is smaller than its guard minSetSize (${g.minSetSize})`);
    if (request.datasetRows?.some((r) => r < g.minSetSize)) return refuse(`a set of the task is smaller than this node's guard minSetSize (${g.minSetSize})`);
    const late = deadlineProblem(request, g.baseSeconds + largestKnownRows(request) * g.secondsPerId);
    if (late) return refuse(late);
    return ADMIT;
  });
}

export const psiProgram: Program = {
  name: 'psi',
  version: '1.0.0',
  summary: 'private set intersection of id columns; the intersection (or only its size) to the receivers',
  moduleUrl: import.meta.url,
  defaultGuards: PSI_GUARDS,
  admit: admitPsi,
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
    const ids = parties.includes(ctx.self) ? localTable(ctx, idColumn, { uniqueIds: true }).ids : undefined;
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
