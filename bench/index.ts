/**
 * `npm run bench -- [suite ...] [--json]`: benchmarks that print machine-readable results
 * (one JSON object per line with --json). Suites: mpc, chain, credit, net, zk. Default: mpc.
 */
import { runChainBench } from './chain.js';
import { runCreditBench } from './credit.js';
import { runMpcBench } from './mpc.js';
import { runNetBench } from './net.js';
import { runZkBench } from './zk.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const suites = args.filter((a) => !a.startsWith('--'));
const known: Record<string, () => Promise<void>> = {
  mpc: () => runMpcBench({ json }),
  chain: () => runChainBench({ json }),
  credit: () => runCreditBench({ json, only: process.env.TACIT_BENCH_ONLY?.split(',') }),
  net: async () => void (await runNetBench({ json })),
  zk: () => runZkBench({ json }),
};

const chosen = suites.length ? suites : ['mpc'];
for (const s of chosen) {
  const run = known[s];
  if (!run) {
    console.error(`bench: unknown suite "${s}" (known: ${Object.keys(known).join(', ')})`);
    process.exit(2);
  }
  await run();
}
