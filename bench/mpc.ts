/**
 * `npm run bench -- mpc [--json]`: the engine between three (or more) separate processes on
 * loopback TLS. For each protocol and operation it prints one JSON line with the slowest
 * party's time, the largest per-party byte count, the rounds, the theoretical byte count
 * of the protocol (bench/mpc-cost.ts) and a baseline: the same bytes moved between the
 * same processes over the same channels without computation. For rep3's multiplication
 * (one ring round: each party sends its 8 MB to the next) it also measures raw node:tls for
 * those bytes in the same pattern (bench/net-ring.ts), so the transport itself is judged
 * against the wire in the same run:
 *   {"suite":"mpc","protocol":"rep3","op":"raw-tls","for":"mul","bytesPerParty":…,"rawTlsSeconds":…,"baselineSeconds":…,"baselineVsRawTls":…}
 */
import { fileURLToPath } from 'node:url';
import { runLocalSession } from '../src/node/local/cluster.js';
import type { MpcConfig } from '../src/mpc/engine.js';
import type { BenchCase, BenchRecord } from './mpc-programs.js';
import { theoreticalBytes, type CostProtocol } from './mpc-cost.js';
import { runRing } from './net-ring.js';

const CASES: BenchCase[] = [
  { op: 'mul', n: 1_000_000 },
  { op: 'mul-fxp', n: 1_000_000 },
  { op: 'matmul', n: 100_000, shape: { m: 1000, k: 100, n: 1 } },
  { op: 'lt', n: 100_000 },
  { op: 'sigmoid', n: 100_000 },
];

interface Setup {
  name: string;
  mpc: MpcConfig;
  parties: string[];
  cost: CostProtocol;
}

const SETUPS: Setup[] = [
  { name: 'rep3', mpc: { protocol: 'rep3', computeParties: ['p0', 'p1', 'p2'] }, parties: ['p0', 'p1', 'p2'], cost: { protocol: 'rep3' } },
  {
    name: 'semi2k',
    mpc: { protocol: 'semi2k', computeParties: ['p0', 'p1', 'p2'], preprocessing: { kind: 'ttp', dealer: 'dealer' } },
    parties: ['p0', 'p1', 'p2', 'dealer'],
    cost: { protocol: 'semi2k', parties: 3 },
  },
];

export async function runMpcBench(opts: { json: boolean; protocols?: string[] }): Promise<void> {
  const module = fileURLToPath(new URL('./mpc-programs.js', import.meta.url));
  for (const setup of SETUPS.filter((s) => !opts.protocols || opts.protocols.includes(s.name))) {
    const results = await runLocalSession({
      program: 'bench-mpc',
      params: { cases: CASES },
      parties: setup.parties.map((id) => ({ id, roles: id === 'dealer' ? ['dealer'] : ['compute'] })),
      mpc: setup.mpc,
      programModule: module,
    });
    const perParty = setup.mpc.computeParties.map((p) => (results.get(p)!.output as { records: BenchRecord[] }).records);
    CASES.forEach((c, i) => {
      const recs = perParty.map((r) => r[i]!);
      const seconds = Math.max(...recs.map((r) => r.seconds));
      const baseline = Math.max(...recs.map((r) => r.baselineSeconds));
      const bytesPerParty = Math.max(...recs.map((r) => r.bytes));
      const theory = theoreticalBytes(setup.cost, c.op, c.n, c.shape);
      const line = {
        suite: 'mpc',
        protocol: setup.name,
        parties: setup.mpc.computeParties.length,
        op: c.op,
        n: c.op === 'matmul' ? c.shape!.m * c.shape!.k : c.n,
        ...(c.op === 'matmul' ? { shape: `${c.shape!.m}x${c.shape!.k} · ${c.shape!.k}x${c.shape!.n}` } : {}),
        seconds: round(seconds),
        bytesPerParty,
        rounds: recs[0]!.rounds,
        theoreticalBytesPerParty: theory,
        bytesVsTheory: round(bytesPerParty / theory),
        baselineSeconds: round(baseline),
        vsBaseline: round(seconds / baseline),
      };
      if (opts.json) console.log(JSON.stringify(line));
      else console.log(`${setup.name.padEnd(7)} ${c.op.padEnd(8)} n=${String(line.n).padEnd(12)} ${line.seconds.toFixed(4)} s  ${(bytesPerParty / 1e6).toFixed(2)} MB/party (theory ${(theory / 1e6).toFixed(2)})  ${line.rounds} rounds  baseline ${line.baselineSeconds.toFixed(4)} s (x${line.vsBaseline})`);
      if (opts.json) console.log(JSON.stringify({ suite: 'mpc', protocol: setup.name, op: 'baseline', for: c.op, n: line.n, seconds: line.baselineSeconds, bytesPerParty, rounds: 1 }));
    });
    if (setup.name === 'rep3') {
      // The same bytes in the same ring pattern over raw node:tls, then over Tacit's transport, same processes.
      const i = CASES.findIndex((c) => c.op === 'mul');
      const recs = perParty.map((r) => r[i]!);
      const bytesPerParty = Math.max(...recs.map((r) => r.bytes));
      const baseline = Math.max(...recs.map((r) => r.baselineSeconds));
      const ring = await runRing({ parties: 3, bytes: bytesPerParty, reps: 9 });
      const line = {
        suite: 'mpc', protocol: 'rep3', op: 'raw-tls', for: 'mul', n: CASES[i]!.n, bytesPerParty,
        rawTlsSeconds: round(ring.rawTlsSeconds), transportSeconds: round(ring.tacitSeconds), transportVsRawTls: round(ring.tacitSeconds / ring.rawTlsSeconds),
        rawTlsCpuSeconds: round(ring.rawTlsCpuSeconds), transportCpuSeconds: round(ring.tacitCpuSeconds),
        baselineSeconds: round(baseline), baselineVsRawTls: round(baseline / ring.rawTlsSeconds),
      };
      console.log(opts.json ? JSON.stringify(line) : `rep3    raw TLS for mul's ${bytesPerParty} B/party: ${line.rawTlsSeconds} s; Tacit transport ${line.transportSeconds} s (x${line.transportVsRawTls}); engine baseline x${line.baselineVsRawTls}`);
    }
  }
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
