/**
 * PSI benchmark (credit suite): two institutions intersect 2^k customer ids each (half of
 * them common), each party in its own thread over an in-process transport; and, in the same
 * run and the same threads, the bound — the X25519 scalar multiplications the protocol needs
 * (2 × 2^k per party, 4 × 2^k in all) done back to back with no hashing and no network.
 * PSI / bound is the protocol's overhead over its unavoidable arithmetic.
 *
 * This machine's two vCPUs do not always run two threads at full speed (a compute loop
 * measured 1.1x to 2x faster on two threads than on one, from minute to minute), so the
 * bound is measured both before and after the PSI and averaged; and the time the busiest
 * party spent inside scalar multiplications during the PSI itself is reported too
 * (`inRunScalarMultSeconds`, `ratioInRun`), which shares the PSI's conditions exactly.
 *
 * The transport is a parameter (`BenchTransport`): worker threads and MessagePorts by
 * default; a loopback-TLS transport runs the same `runPartyJob` in separate processes.
 *
 * `node dist/bench/psi.js [--json] [--log2n=K] [--batch=B]` prints JSON lines:
 *   {"suite":"credit","op":"psi-scalar-mult-bound","n":…,"seconds":…,"scalarMults":…}
 *   {"suite":"credit","op":"psi","n":…,"seconds":…,"bytesPerParty":…,"boundSeconds":…,"ratio":…}
 */
import { cpus } from 'node:os';
import { DEFAULT_BATCH } from '../src/psi/plan.js';
import type { PartyReport } from './psi-party.js';
import { workerTransport, type BenchTransport } from './support/worker-transport.js';

export interface PsiBenchOptions {
  json: boolean;
  /** Each party holds 2^log2n ids (default 20). */
  log2n?: number;
  batchSize?: number;
  transport?: BenchTransport;
}

export interface PsiBenchResult {
  n: number;
  /** Wall time of the slowest party's runPsi call. */
  seconds: number;
  bytesPerParty: number;
  intersection: number;
  /** The bound: mean of the measurements before and after the PSI. */
  boundSeconds: number;
  boundBefore: number;
  boundAfter: number;
  scalarMults: number;
  ratio: number;
  /** Seconds the busiest party spent in scalar multiplications during the PSI. */
  inRunScalarMultSeconds: number;
  /** Per party: where its PSI time went. */
  partySeconds: { party: string; total: number; scalarMults: number; hashing: number; waiting: number }[];
}

export async function runPsiBench(opts: PsiBenchOptions): Promise<PsiBenchResult> {
  const log2n = opts.log2n ?? 20;
  const n = 2 ** log2n;
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  const transport = opts.transport ?? workerTransport;
  const parties = ['bank', 'bureau'];
  const session = await transport.open(parties);
  const slowest = (rs: PartyReport[]) => Math.max(...rs.map((r) => r.seconds));
  try {
    const bound = () => session.run({ kind: 'bound', scalarMults: 2 * n, batchSize });
    const before = await bound();
    const psi = await session.run({ kind: 'psi', parties, receivers: ['bank'], n, batchSize });
    const after = await bound();
    const seconds = slowest(psi);
    const boundBefore = slowest(before);
    const boundAfter = slowest(after);
    const boundSeconds = (boundBefore + boundAfter) / 2;
    const scalarMults = before.reduce((s, r) => s + r.scalarMults, 0);
    const result: PsiBenchResult = {
      n,
      seconds,
      bytesPerParty: Math.max(...psi.map((r) => r.bytesSent)),
      intersection: psi[0]!.size!,
      boundSeconds,
      boundBefore,
      boundAfter,
      scalarMults,
      ratio: seconds / boundSeconds,
      inRunScalarMultSeconds: Math.max(...psi.map((r) => r.scalarMultSeconds)),
      partySeconds: psi.map((r) => ({ party: r.party, total: r.seconds, scalarMults: r.scalarMultSeconds, hashing: r.hashSeconds ?? 0, waiting: r.waitSeconds ?? 0 })),
    };
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    const usPerMult = r3((boundSeconds * 1e6 * parties.length) / scalarMults);
    const common = { parties: parties.length, transport: transport.name, cores: cpus().length, batch: batchSize };
    if (opts.json) {
      console.log(JSON.stringify({ suite: 'credit', op: 'psi-scalar-mult-bound', n, seconds: r3(boundSeconds), scalarMults, usPerMult, before: r3(boundBefore), after: r3(boundAfter), ...common }));
      console.log(JSON.stringify({
        suite: 'credit', op: 'psi', n, seconds: r3(seconds), bytesPerParty: result.bytesPerParty, intersection: result.intersection,
        boundSeconds: r3(boundSeconds), ratio: r3(result.ratio), inRunScalarMultSeconds: r3(result.inRunScalarMultSeconds), ratioInRun: r3(seconds / result.inRunScalarMultSeconds),
        partySeconds: result.partySeconds.map((p) => ({ party: p.party, total: r3(p.total), scalarMults: r3(p.scalarMults), hashing: r3(p.hashing), waiting: r3(p.waiting) })), ...common,
      }));
    } else {
      console.log(`psi: ${parties.length} parties × 2^${log2n} ids (${result.intersection} common) in ${seconds.toFixed(1)} s, ${(result.bytesPerParty / 2 ** 20).toFixed(1)} MiB sent per party`);
      console.log(`bound: ${scalarMults} X25519 on ${parties.length} threads in ${boundSeconds.toFixed(1)} s (before ${boundBefore.toFixed(1)}, after ${boundAfter.toFixed(1)}; ${usPerMult} µs each)`);
      console.log(`psi / bound = ${result.ratio.toFixed(2)}; psi / its own scalar multiplications = ${(seconds / result.inRunScalarMultSeconds).toFixed(2)}`);
      for (const p of result.partySeconds) {
        console.log(`  ${p.party}: ${p.total.toFixed(1)} s = ${p.scalarMults.toFixed(1)} scalar mults + ${p.hashing.toFixed(1)} hashing + ${p.waiting.toFixed(1)} waiting + ${(p.total - p.scalarMults - p.hashing - p.waiting).toFixed(1)} other`);
      }
    }
    return result;
  } finally {
    await session.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  await runPsiBench({
    json: process.argv.includes('--json'),
    log2n: arg('log2n') ? Number(arg('log2n')) : undefined,
    batchSize: arg('batch') ? Number(arg('batch')) : undefined,
  });
}
