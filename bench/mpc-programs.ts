/**
 * The benchmark's program, run in every party process: each operation on random shares,
 * timed between two barriers (operations shorter than a second: after eight warm-up runs,
 * the median of five such runs, as the baseline — one sample on a shared machine is mostly noise); then the baseline — the same bytes this party sent to each
 * peer during the operation, sent again in one message per peer over the same channels,
 * with no computation (the median of BASELINE_REPS repetitions, each after a barrier).
 */
import type { Program } from '../src/algorithms/program.js';
import { Mpc } from '../src/mpc/engine.js';
import type { Network } from '../src/net/types.js';
import type { SecretTensor } from '../src/mpc/tensor.js';
import { ownBytes } from '../src/net/bytes.js';
import { createOtPreprocessing } from '../src/mpc/semi2k/ot-preprocessing.js';
import type { Preprocessing } from '../src/mpc/semi2k/preprocessing.js';

/** Baseline messages are cut at this size (OT preprocessing moves GBs; one message is enough to show the wire's speed). */
const BASELINE_MESSAGE = 64 << 20;

async function sendChunked(net: Network, peer: string, step: string, bytes: number, chunk: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes; off += BASELINE_MESSAGE) await net.send(peer, step, chunk.subarray(0, Math.min(BASELINE_MESSAGE, bytes - off)));
}

async function recvChunked(net: Network, peer: string, step: string, bytes: number): Promise<void> {
  for (let off = 0; off < bytes; off += BASELINE_MESSAGE) await net.recv(peer, step, Math.min(BASELINE_MESSAGE, bytes - off));
}

export interface BenchCase {
  op: 'mul' | 'mul-fxp' | 'matmul' | 'lt' | 'sigmoid' | 'ot-setup' | 'triples';
  n: number;
  shape?: { m: number; k: number; n: number };
}

export interface BenchRecord {
  op: string;
  n: number;
  seconds: number;
  bytes: number;
  rounds: number;
  baselineSeconds: number;
  /** This party's CPU seconds (user + system) for the operation and for its baseline, medians: they hardly depend on other load. */
  cpuSeconds: number;
  baselineCpuSeconds: number;
  /** This party's minor page faults during the (first timed) operation: fresh zero pages touched, 3–5 µs each on this VM. */
  faults: number;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const BASELINE_REPS = 5;
/** Operations whose warm-up took less than this (at the slowest party) are warmed up WARM_RUNS times and timed BASELINE_REPS times. */
const REPEAT_BELOW_SECONDS = 1;
/**
 * Warm-up runs of a short operation. Measured (three party processes, 8 MB a party per run):
 * a fresh process's first 6–8 products of 10^6 cost 10–30 ms more CPU per party than later
 * ones, and so do its first transport baselines when they run first — the heap growing to
 * its steady size page by page, the transport's code being optimised (in background threads,
 * which `process.cpuUsage` counts). With one warm-up the first operation was timed cold
 * against a baseline that ran warm after it.
 */
const WARM_RUNS = 8;

/** The largest of every party's `value` (each party sends its own to all others). */
async function slowestOf(net: Network, peers: string[], tag: string, value: number): Promise<number> {
  await Promise.all(peers.map((p) => net.send(p, tag, new Uint8Array(new Float64Array([value]).buffer))));
  const theirs = await Promise.all(peers.map(async (p) => new Float64Array(ownBytes(await net.recv(p, tag, 8)).buffer)[0]!));
  return Math.max(value, ...theirs);
}

async function barrier(net: Network, peers: string[], tag: string): Promise<void> {
  const one = new Uint8Array(1);
  await Promise.all(peers.map((p) => net.send(p, tag, one)));
  await Promise.all(peers.map((p) => net.recv(p, tag, 1)));
}

function rand(n: number, scale: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (Math.random() * 2 - 1) * scale;
  return out;
}

const benchMpc: Program = {
  name: 'bench-mpc',
  version: '1',
  summary: 'MPC micro-benchmark',
  moduleUrl: import.meta.url,
  async run(ctx) {
    const cases = ctx.plan.params['cases'] as BenchCase[];
    const config = ctx.plan.mpc!;
    if (config.preprocessing?.kind === 'ttp' && config.preprocessing.dealer === ctx.self) {
      await Mpc.serveDealer(ctx.net, config.computeParties);
      return { stats: { seconds: 0, bytesSent: 0, rounds: 0 } };
    }
    const mpc = await Mpc.create(ctx.net, config);
    const peers = mpc.members.filter((m) => m !== ctx.self);
    const owner = config.computeParties[0]!;
    const records: BenchRecord[] = [];
    const compute = config.computeParties;
    let pp: Preprocessing | undefined;
    for (const [ci, c] of cases.entries()) {
      let run: () => Promise<unknown>;
      if (c.op === 'ot-setup') {
        run = () => createOtPreprocessing(mpc.comm, compute, compute.indexOf(ctx.self));
      } else if (c.op === 'triples') {
        pp ??= await createOtPreprocessing(mpc.comm, compute, compute.indexOf(ctx.self));
        run = () => pp!.get({ kind: 'beaver', n: c.n });
      } else if (c.op === 'matmul') {
        const s = c.shape!;
        const A = await mpc.input(owner, ctx.self === owner ? rand(s.m * s.k, 4) : undefined, [s.m, s.k]);
        const B = await mpc.input(owner, ctx.self === owner ? rand(s.k * s.n, 4) : undefined, [s.k, s.n]);
        run = () => mpc.matmul(A, B);
      } else {
        const x: SecretTensor = await mpc.input(owner, ctx.self === owner ? rand(c.n, 8) : undefined, [c.n]);
        const y: SecretTensor = await mpc.input(owner, ctx.self === owner ? rand(c.n, 8) : undefined, [c.n]);
        run =
          c.op === 'mul' ? () => mpc.mulRing(x, y)
          : c.op === 'mul-fxp' ? () => mpc.mul(x, y)
          : c.op === 'lt' ? () => mpc.lt(x, y)
          : () => mpc.sigmoid(x);
      }
      const tw = performance.now();
      await run(); // warm-up (JIT, buffers)
      const warmSeconds = (performance.now() - tw) / 1000;
      // Every party decides alike how often to repeat: the warm-up times are exchanged first.
      const warm = await slowestOf(ctx.net, peers, `bench.warm.${ci}`, warmSeconds);
      // Short operations warm up WARM_RUNS times (heap growth and code optimisation, which the
      // baseline, run after them, never pays: see WARM_RUNS).
      for (let w = 1; warm < REPEAT_BELOW_SECONDS && w < WARM_RUNS; w++) await run();
      await barrier(ctx.net, peers, `bench.sync.${ci}.a`);
      const sent0 = new Map(ctx.net.meter.sentTo);
      const rounds0 = mpc.comm.rounds;
      const t0 = performance.now();
      const c0 = cpuNow();
      const f0 = process.resourceUsage().minorPageFault;
      await run();
      const faults = process.resourceUsage().minorPageFault - f0;
      const opSamples = [(performance.now() - t0) / 1000];
      const opCpu = [cpuNow() - c0];
      const rounds = mpc.comm.rounds - rounds0;
      const perPeer = peers.map((p) => (ctx.net.meter.sentTo.get(p) ?? 0) - (sent0.get(p) ?? 0));
      // Short operations are timed like their baseline: the median of BASELINE_REPS runs, each after a barrier.
      for (let r = 1; warm < REPEAT_BELOW_SECONDS && r < BASELINE_REPS; r++) {
        await barrier(ctx.net, peers, `bench.sync.${ci}.a${r}`);
        const t = performance.now();
        const c = cpuNow();
        await run();
        opSamples.push((performance.now() - t) / 1000);
        opCpu.push(cpuNow() - c);
      }
      const seconds = median(opSamples);
      const bytes = perPeer.reduce((a, b) => a + b, 0);
      // Baseline: the same bytes to the same peers, one message each, no computation. Each
      // party must know what to expect from each peer: exchange the counts first.
      const counts = new Float64Array(peers.length);
      perPeer.forEach((b, i) => (counts[i] = b));
      await Promise.all(peers.map((p, i) => ctx.net.send(p, `bench.count.${ci}`, new Uint8Array(new Float64Array([counts[i]!]).buffer))));
      const expect = await Promise.all(peers.map(async (p) => new Float64Array(ownBytes(await ctx.net.recv(p, `bench.count.${ci}`, 8)).buffer)[0]!));
      // Written once, as the engine's own buffers are (untouched zero pages would add page
      // faults); sent in messages of at most BASELINE_MESSAGE (OT preprocessing moves GBs).
      const payloads = perPeer.map((b) => new Uint8Array(Math.min(b, BASELINE_MESSAGE)).fill(1));
      // The median of BASELINE_REPS repetitions: on a shared machine one sample is mostly noise.
      const samples: number[] = [];
      const baseCpu: number[] = [];
      for (let r = 0; r < BASELINE_REPS; r++) {
        await barrier(ctx.net, peers, `bench.sync.${ci}.b${r}`);
        const t1 = performance.now();
        const c1 = cpuNow();
        await Promise.all([
          ...peers.map((p, i) => sendChunked(ctx.net, p, `bench.base.${ci}`, perPeer[i]!, payloads[i]!)),
          ...peers.map((p, i) => recvChunked(ctx.net, p, `bench.base.${ci}`, expect[i]!)),
        ]);
        samples.push((performance.now() - t1) / 1000);
        baseCpu.push(cpuNow() - c1);
      }
      const baselineSeconds = median(samples);
      records.push({ op: c.op, n: c.op === 'matmul' ? c.shape!.m * c.shape!.k : c.n, seconds, bytes, rounds, baselineSeconds, cpuSeconds: median(opCpu), baselineCpuSeconds: median(baseCpu), faults });
    }
    await mpc.finish();
    return { output: { records }, stats: { seconds: 0, bytesSent: ctx.net.meter.bytesSent(), rounds: mpc.comm.rounds } };
  },
};

export const programs: ReadonlyMap<string, Program> = new Map([[benchMpc.name, benchMpc]]);
