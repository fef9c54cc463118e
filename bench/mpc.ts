/**
 * `npm run bench -- mpc [--json]`: the engine between three (or more) separate processes on
 * loopback TLS. For each protocol and operation it prints one JSON line with the slowest
 * party's time, the largest per-party byte count, the rounds, the theoretical byte count
 * of the protocol (bench/mpc-cost.ts) and a baseline: the same bytes moved between the
 * same processes over the same channels without computation, and the busiest party's CPU
 * seconds for both (`cpuSeconds`, `baselineCpuSeconds`: on a shared machine the wall times
 * swing with other load, the CPU seconds hardly). For rep3's multiplication
 * (one ring round: each party sends its 8 MB to the next) it also measures raw node:tls for
 * those bytes in the same pattern (bench/net-ring.ts), so the transport itself is judged
 * against the wire in the same run — and plain TCP for the same bytes, with no encryption, as
 * the floor under any encrypted channel:
 *   {"suite":"mpc","protocol":"rep3","op":"raw-tls","for":"mul","bytesPerParty":…,"rawTcpSeconds":…,"rawTlsSeconds":…,"transportSeconds":…,"transportChannel":"bulk","tlsTransportSeconds":…,"baselineSeconds":…,"baselineVsRawTls":…}
 */
import { fileURLToPath } from 'node:url';
import { runLocalSession } from '../src/node/local/cluster.js';
import type { MpcConfig } from '../src/mpc/engine.js';
import type { BenchCase, BenchRecord } from './mpc-programs.js';
import { theoreticalBytes, type CostProtocol } from './mpc-cost.js';
import { runRing } from './net-ring.js';
import { TRIPLE_BYTES_PER_PEER } from '../src/mpc/semi2k/ot-triples.js';

/** TACIT_BENCH_MPC_SCALE (e.g. 0.01) shrinks every size, for a quick check that the bench runs. */
const SCALE = Number(process.env.TACIT_BENCH_MPC_SCALE ?? 1);
const sized = (n: number) => Math.max(2, Math.round(n * SCALE));

const CASES: BenchCase[] = [
  { op: 'mul', n: sized(1_000_000) },
  { op: 'mul-fxp', n: sized(1_000_000) },
  { op: 'matmul', n: sized(100_000), shape: { m: sized(1000), k: 100, n: 1 } },
  { op: 'lt', n: sized(100_000) },
  { op: 'sigmoid', n: sized(100_000) },
];

/**
 * Dealer-free semi2k (OT preprocessing): every operation makes its own correlations, so its
 * time includes them; `triples` times the preprocessing of n Beaver triples alone and
 * `ot-setup` the base OTs and the first extension of every pair (once per session).
 */
const OT_CASES: BenchCase[] = [
  { op: 'ot-setup', n: 0 },
  { op: 'triples', n: sized(1_000_000) },
  { op: 'mul', n: sized(1_000_000) },
  { op: 'lt', n: sized(100_000) },
  { op: 'sigmoid', n: sized(100_000) },
];

interface Setup {
  name: string;
  mpc: MpcConfig;
  parties: string[];
  cost: CostProtocol;
  cases?: BenchCase[];
}

const SETUPS: Setup[] = [
  { name: 'rep3', mpc: { protocol: 'rep3', computeParties: ['p0', 'p1', 'p2'] }, parties: ['p0', 'p1', 'p2'], cost: { protocol: 'rep3' } },
  {
    name: 'semi2k',
    mpc: { protocol: 'semi2k', computeParties: ['p0', 'p1', 'p2'], preprocessing: { kind: 'ttp', dealer: 'dealer' } },
    parties: ['p0', 'p1', 'p2', 'dealer'],
    cost: { protocol: 'semi2k', parties: 3 },
  },
  // TACIT_BENCH_OT_PARTIES=2 (or 3) keeps one party count of the dealer-free setups.
  ...(process.env.TACIT_BENCH_OT_PARTIES ? process.env.TACIT_BENCH_OT_PARTIES.split(',').map(Number) : [2, 3]).map((k): Setup => {
    const parties = Array.from({ length: k }, (_, i) => `p${i}`);
    return { name: 'semi2k', mpc: { protocol: 'semi2k', computeParties: parties, preprocessing: { kind: 'ot' } }, parties, cost: { protocol: 'semi2k', parties: k }, cases: OT_CASES };
  }),
];

/**
 * The semi2k triples the cost model leaves out: per element and peer, 64 SoftSpokenOT
 * messages of 128/k bits and 2080 bits of triangular Gilboa corrections (src/mpc/semi2k/ot-triples.ts).
 */
const OT_TRIPLE_BYTES = TRIPLE_BYTES_PER_PEER;

export async function runMpcBench(opts: { json: boolean; protocols?: string[] }): Promise<void> {
  const module = fileURLToPath(new URL('./mpc-programs.js', import.meta.url));
  // TACIT_BENCH_ONLY=ot (or rep3, semi2k …) keeps the setups whose name or preprocessing matches.
  const only = process.env.TACIT_BENCH_ONLY?.split(',');
  const keep = (s: Setup) => !only || only.includes(s.name) || only.includes(s.mpc.preprocessing?.kind ?? '');
  for (const setup of SETUPS.filter((s) => (!opts.protocols || opts.protocols.includes(s.name)) && keep(s))) {
    // TACIT_BENCH_OPS=ot-setup,triples,mul keeps those operations only (ot-setup always runs first with OT preprocessing).
    const ops = process.env.TACIT_BENCH_OPS?.split(',');
    const cases = (setup.cases ?? CASES).filter((c) => !ops || ops.includes(c.op) || c.op === 'ot-setup');
    const pp = setup.mpc.preprocessing?.kind;
    const results = await runLocalSession({
      program: 'bench-mpc',
      params: { cases },
      parties: setup.parties.map((id) => ({ id, roles: id === 'dealer' ? ['dealer'] : ['compute'] })),
      mpc: setup.mpc,
      programModule: module,
    });
    const perParty = setup.mpc.computeParties.map((p) => (results.get(p)!.output as { records: BenchRecord[] }).records);
    cases.forEach((c, i) => {
      const recs = perParty.map((r) => r[i]!);
      const seconds = Math.max(...recs.map((r) => r.seconds));
      const bytesPerParty = Math.max(...recs.map((r) => r.bytes));
      if (c.op === 'ot-setup' || c.op === 'triples') {
        const line = { suite: 'mpc', protocol: setup.name, preprocessing: pp, parties: setup.mpc.computeParties.length, op: c.op, n: c.n, seconds: round(seconds), bytesPerParty };
        if (opts.json) console.log(JSON.stringify(line));
        else console.log(`${setup.name.padEnd(7)} ${pp} ${line.parties}p ${c.op.padEnd(8)} n=${String(c.n).padEnd(12)} ${line.seconds.toFixed(4)} s  ${(bytesPerParty / 1e6).toFixed(2)} MB/party`);
        return;
      }
      const baseline = Math.max(...recs.map((r) => r.baselineSeconds));
      const online = theoreticalBytes(setup.cost, c.op, c.n, c.shape);
      // With OT preprocessing only the product's theory is extended (its triples); for the
      // other operations the figure stays the online part alone.
      const theory = pp === 'ot' && c.op === 'mul' ? online + OT_TRIPLE_BYTES * c.n * (setup.mpc.computeParties.length - 1) : online;
      const line = {
        suite: 'mpc',
        protocol: setup.name,
        ...(pp ? { preprocessing: pp } : {}),
        parties: setup.mpc.computeParties.length,
        op: c.op,
        n: c.op === 'matmul' ? c.shape!.m * c.shape!.k : c.n,
        ...(c.op === 'matmul' ? { shape: `${c.shape!.m}x${c.shape!.k} · ${c.shape!.k}x${c.shape!.n}` } : {}),
        seconds: round(seconds),
        bytesPerParty,
        rounds: recs[0]!.rounds,
        theoreticalBytesPerParty: theory,
        ...(pp === 'ot' && c.op !== 'mul' ? { theoryIsOnlineOnly: true } : {}),
        bytesVsTheory: round(bytesPerParty / theory),
        baselineSeconds: round(baseline),
        vsBaseline: round(seconds / baseline),
        // The busiest party's CPU seconds for the operation and its baseline (medians).
        cpuSeconds: round(Math.max(...recs.map((r) => r.cpuSeconds))),
        baselineCpuSeconds: round(Math.max(...recs.map((r) => r.baselineCpuSeconds))),
        // The most minor page faults a party took during the operation (fresh pages, 3–5 µs each here).
        pageFaults: Math.max(...recs.map((r) => r.faults)),
      };
      if (opts.json) console.log(JSON.stringify(line));
      else console.log(`${setup.name.padEnd(7)} ${pp ?? ''} ${line.parties}p ${c.op.padEnd(8)} n=${String(line.n).padEnd(12)} ${line.seconds.toFixed(4)} s  ${(bytesPerParty / 1e6).toFixed(2)} MB/party (theory ${(theory / 1e6).toFixed(2)})  ${line.rounds} rounds  baseline ${line.baselineSeconds.toFixed(4)} s (x${line.vsBaseline})`);
      if (opts.json) console.log(JSON.stringify({ suite: 'mpc', protocol: setup.name, op: 'baseline', for: c.op, n: line.n, seconds: line.baselineSeconds, bytesPerParty, rounds: 1 }));
    });
    if (setup.name === 'rep3' && cases.some((c) => c.op === 'mul')) {
      // The same bytes in the same ring pattern over raw node:tls, then over Tacit's transport, same processes.
      const i = cases.findIndex((c) => c.op === 'mul');
      const recs = perParty.map((r) => r[i]!);
      const bytesPerParty = Math.max(...recs.map((r) => r.bytes));
      const baseline = Math.max(...recs.map((r) => r.baselineSeconds));
      const ring = await runRing({ parties: 3, bytes: bytesPerParty, reps: 9 });
      const line = {
        suite: 'mpc', protocol: 'rep3', op: 'raw-tls', for: 'mul', n: cases[i]!.n, bytesPerParty,
        rawTcpSeconds: round(ring.rawTcpSeconds), rawTlsSeconds: round(ring.rawTlsSeconds), transportSeconds: round(ring.tacitSeconds), transportVsRawTls: round(ring.tacitSeconds / ring.rawTlsSeconds),
        transportChannel: ring.channel, tlsTransportSeconds: round(ring.tacitTlsSeconds),
        rawTcpCpuSeconds: round(ring.rawTcpCpuSeconds), rawTlsCpuSeconds: round(ring.rawTlsCpuSeconds), transportCpuSeconds: round(ring.tacitCpuSeconds),
        baselineSeconds: round(baseline), baselineVsRawTls: round(baseline / ring.rawTlsSeconds),
      };
      console.log(opts.json ? JSON.stringify(line) : `rep3    raw TLS for mul's ${bytesPerParty} B/party: ${line.rawTlsSeconds} s; Tacit transport on ${line.transportChannel} ${line.transportSeconds} s (x${line.transportVsRawTls}), on TLS ${line.tlsTransportSeconds} s; engine baseline x${line.baselineVsRawTls}`);
    }
  }
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
