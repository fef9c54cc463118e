/**
 * `npm run bench -- [suite ...] [--json]`: benchmarks that print machine-readable results
 * (one JSON object per line with --json). Suites: mpc, chain, credit, net, keys, he, psi, clearing, zk. Default: mpc.
 */
import { runChainBench } from './chain.js';
import { runClearingBench } from './clearing.js';
import { runCreditBench } from './credit.js';
import { runHeBench } from './he.js';
import { runKeysBench } from './keys.js';
import { runMpcBench } from './mpc.js';
import { runNetBench } from './net.js';
import { runPsiProtocolsBench } from './psi-protocols.js';
import { runZkBench } from './zk.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const suites = args.filter((a) => !a.startsWith('--'));
const known: Record<string, () => Promise<void>> = {
  mpc: () => runMpcBench({ json }),
  chain: () => runChainBench({ json }),
  clearing: () => runClearingBench({ json }),
  credit: () => runCreditBench({ json, only: process.env.TACIT_BENCH_ONLY?.split(',') }),
  net: async () => void (await runNetBench({ json })),
  keys: () => runKeysBench({ json }),
  he: () => runHeBench({ json }),
  psi: () => runPsiProtocolsBench({ json }),
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
