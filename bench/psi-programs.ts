/**
 * The PSI benchmark as a program, so that it runs with each party its own process on
 * loopback TLS (like every other benchmark): the scalar-multiplication bound, the PSI, and
 * the bound again, all in the same processes and at the same time for both parties.
 */
import type { Program } from '../src/algorithms/program.js';
import { runPartyJob, type PartyReport } from './psi-party.js';

const benchPsi: Program = {
  name: 'bench-psi',
  version: '1',
  summary: 'PSI benchmark',
  moduleUrl: import.meta.url,
  async run(ctx) {
    const { n, batchSize } = ctx.plan.params as { n: number; batchSize: number };
    const parties = ctx.plan.parties.map((p) => p.id);
    const barrier = async (tag: string) => {
      const peer = parties.find((p) => p !== ctx.self)!;
      await ctx.net.send(peer, tag, new Uint8Array(1));
      await ctx.net.recv(peer, tag, 1);
    };
    await barrier('bench.b0');
    const before = await runPartyJob(ctx.net, { kind: 'bound', scalarMults: 2 * n, batchSize });
    await barrier('bench.b1');
    const psi = await runPartyJob(ctx.net, { kind: 'psi', parties, receivers: [parties[0]!], n, batchSize });
    await barrier('bench.b2');
    const after = await runPartyJob(ctx.net, { kind: 'bound', scalarMults: 2 * n, batchSize });
    const reports: Record<string, PartyReport> = { before, psi, after };
    return { output: reports as unknown as Record<string, unknown>, stats: { seconds: psi.seconds, bytesSent: psi.bytesSent, rounds: 0 } };
  },
};

export const programs: ReadonlyMap<string, Program> = new Map([[benchPsi.name, benchPsi]]);
