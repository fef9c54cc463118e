/**
 * Programs for `npm run bench -- credit`, run in every party process:
 * - `bench-lr-synth`: vertical logistic regression on synthetic data generated inside each
 *   party from a seed (no CSV, no PSI): the setting FATE publishes per-epoch times for;
 * - `bench-latency`: once connected, scores one applicant across the data parties and runs
 *   one debt query, `repeat` times each, timing every iteration.
 */
import type { Program } from '../src/algorithms/program.js';
import { lrTrainMpc } from '../src/algorithms/lr/train.js';
import { lrPredictMpc } from '../src/algorithms/lr/predict.js';
import { debtQueryMpc } from '../src/algorithms/debt-query.js';
import { DEFAULT_LR } from '../src/algorithms/lr/plaintext.js';
import { exchangeTags, withMpc } from '../src/algorithms/programs/common.js';

function gaussian(seed: number, n: number): Float64Array {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

const lrSynth: Program = {
  name: 'bench-lr-synth',
  version: '1',
  summary: 'synthetic vertical LR',
  moduleUrl: import.meta.url,
  async run(ctx) {
    const { rows, columns, labelParty, epochs, batchSize } = ctx.plan.params as {
      rows: number; columns: Record<string, number>; labelParty: string; epochs: number; batchSize: number;
    };
    const mine = columns[ctx.self];
    const features = mine ? gaussian(ctx.self.length * 7919 + mine, rows * mine) : undefined;
    let labels: Float64Array | undefined;
    if (ctx.self === labelParty) {
      labels = new Float64Array(rows);
      for (let i = 0; i < rows; i++) labels[i] = features![i * mine!]! + 0.5 * features![i * mine! + 1]! > 0 ? 1 : 0;
    }
    const epochTimes: number[] = [];
    let last = 0;
    const res = await withMpc(ctx, async (mpc) => {
      const perEpoch = Math.ceil(rows / batchSize);
      const out = await lrTrainMpc(
        mpc,
        {
          featureParties: Object.entries(columns).map(([party, c]) => ({ party, columns: c })),
          labelParty,
          rows,
          receiver: labelParty,
          hyper: { ...DEFAULT_LR, epochs, batchSize },
          metrics: false,
        },
        { features, labels },
        (phase, done) => {
          if (phase === 'input') last = performance.now(); // sharing done: training starts
          if (phase === 'train' && done % perEpoch === 0) {
            const now = performance.now();
            epochTimes.push((now - last) / 1000);
            last = now;
          }
        },
      );
      return { epochTimes, inputSeconds: out.timings.input };
    });
    return res;
  },
};

const latency: Program = {
  name: 'bench-latency',
  version: '1',
  summary: 'scoring and debt-query latency',
  moduleUrl: import.meta.url,
  async run(ctx) {
    const { scorers, lenders, receiver, repeat, columns } = ctx.plan.params as {
      scorers: string[]; lenders: string[]; receiver: string; repeat: number; columns: number;
    };
    return withMpc(ctx, async (mpc) => {
      const score: number[] = [];
      const debt: number[] = [];
      const d = columns * scorers.length;
      const model = { weights: Array.from(gaussian(1, d)), intercept: 0.1 };
      for (let r = 0; r < repeat; r++) {
        const t0 = performance.now();
        await exchangeTags(ctx, receiver, scorers, ctx.self === receiver ? [`applicant-${r}`] : undefined, `score.tags.${r}`);
        await lrPredictMpc(
          mpc,
          { featureParties: scorers.map((p) => ({ party: p, columns })), rows: 1, receiver, modelOwner: receiver },
          { features: scorers.includes(ctx.self) ? gaussian(r + 3, columns) : undefined, model: ctx.self === receiver ? model : undefined },
        );
        score.push((performance.now() - t0) / 1000);
        const t1 = performance.now();
        await exchangeTags(ctx, receiver, lenders, ctx.self === receiver ? [`applicant-${r}`] : undefined, `debt.tags.${r}`);
        await debtQueryMpc(mpc, { lenders, receiver }, lenders.includes(ctx.self) ? 1000 * (r + 1) : undefined);
        debt.push((performance.now() - t1) / 1000);
      }
      return { score, debt };
    });
  },
};

export const programs: ReadonlyMap<string, Program> = new Map([lrSynth, latency].map((p) => [p.name, p]));
