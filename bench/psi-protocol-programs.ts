/**
 * The two-party PSI protocols side by side, as a program run by each party in its own process
 * on loopback TLS: the same 2^k ids per party (half of them common) through ECDH PSI and OPRF
 * PSI in turn, each between two barriers, timed and metered at every party.
 */
import type { Program } from '../src/algorithms/program.js';
import { runPsiWith, type PsiProtocol } from '../src/psi/index.js';

export interface PsiProtocolRecord {
  protocol: PsiProtocol;
  seconds: number;
  bytes: number;
  size?: number;
}

const benchPsiProtocols: Program = {
  name: 'bench-psi-protocols',
  version: '1',
  summary: 'PSI protocols benchmark',
  moduleUrl: import.meta.url,
  async run(ctx) {
    const { n, protocols } = ctx.plan.params as { n: number; protocols: PsiProtocol[] };
    const parties = ctx.plan.parties.map((p) => p.id);
    const me = parties.indexOf(ctx.self);
    const peer = parties.find((p) => p !== ctx.self)!;
    const ids = Array.from({ length: n }, (_, k) => (k % 2 === 0 ? `customer-${k}` : `only-${me}-${k}`));
    const records: PsiProtocolRecord[] = [];
    for (const [i, protocol] of protocols.entries()) {
      await ctx.net.send(peer, `bench.psi.${i}`, new Uint8Array(1));
      await ctx.net.recv(peer, `bench.psi.${i}`, 1);
      const bytes0 = ctx.net.meter.bytesSent();
      const t0 = performance.now();
      const r = await runPsiWith(ctx.net, { protocol, parties, receivers: [parties[0]!], ids });
      records.push({ protocol, seconds: (performance.now() - t0) / 1000, bytes: ctx.net.meter.bytesSent() - bytes0, size: r.size });
    }
    return { output: { records }, stats: { seconds: 0, bytesSent: ctx.net.meter.bytesSent(), rounds: 0 } };
  },
};

export const programs: ReadonlyMap<string, Program> = new Map([[benchPsiProtocols.name, benchPsiProtocols]]);
