/**
 * Chain benchmark: gas of each step of a task's lifecycle and of one whole task (create,
 * accept by 4 nodes, 3 commitments — the last of which settles), against the 1,000,000-gas
 * target; then how many whole tasks per second the embedded chain sustains.
 *
 * Settlement happens inside the last commitment (it saves a transaction), so "settle" is
 * reported as the marginal gas of that commitment over an ordinary one. Gas is measured on a
 * warm ledger (a task already ran, so every party holds a non-zero token balance: the
 * steady state); the very first task, which also pays for first-time balance slots, is
 * reported as "wholeTaskCold". One JSON object per line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { startEmbeddedChain, startEphemeralChain } from '../src/chain/embedded.js';
import { LocalLedger, setupStandardScenario, type StandardScenario } from '../src/chain/local-ledger.js';

const TARGET = 1_000_000n;
const RESULT: Hex = `0x${'ab'.repeat(32)}`;

interface TaskGas {
  create: bigint;
  accepts: bigint[];
  commits: bigint[];
}

async function runTask(ledger: LocalLedger, s: StandardScenario): Promise<TaskGas> {
  const { taskId, receipt } = await ledger.createTask(s.requester, await s.spec());
  const accepts: bigint[] = [];
  for (const node of [s.dataOwner, ...s.compute]) accepts.push((await ledger.accept(node, taskId)).gasUsed);
  const commits: bigint[] = [];
  for (const node of s.compute) commits.push((await ledger.commit(node, taskId, RESULT)).gasUsed);
  return { create: receipt.gasUsed, accepts, commits };
}

const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
const mean = (xs: bigint[]) => sum(xs) / BigInt(xs.length);

export async function runChainBench(opts: { json: boolean; tasks?: number; lanes?: number }): Promise<void> {
  const emit = (o: Record<string, unknown>) => {
    if (opts.json) process.stdout.write(`${JSON.stringify({ suite: 'chain', ...o })}\n`);
    else process.stdout.write(`chain ${String(o.op).padEnd(16)} ${Object.entries(o).filter(([k]) => k !== 'op').map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
  };

  // 1. Gas, on a throw-away chain.
  const chain = await startEphemeralChain();
  try {
    const ledger = await LocalLedger.deploy(chain.rpcUrl);
    const s = await setupStandardScenario(ledger);
    const cold = await runTask(ledger, s);
    const warm = await runTask(ledger, s);
    const ordinaryCommit = mean(warm.commits.slice(0, -1));
    const lastCommit = warm.commits[warm.commits.length - 1]!;
    const whole = (g: TaskGas) => g.create + sum(g.accepts) + sum(g.commits);
    emit({ op: 'createTask', gas: Number(warm.create) });
    emit({ op: 'accept', gas: Number(mean(warm.accepts)), calls: warm.accepts.length, each: warm.accepts.map(Number) });
    emit({ op: 'commit', gas: Number(ordinaryCommit), calls: warm.commits.length - 1 });
    emit({ op: 'settle', gas: Number(lastCommit - ordinaryCommit), lastCommitGas: Number(lastCommit), auto: true });
    emit({ op: 'wholeTask', gas: Number(whole(warm)), target: Number(TARGET), ok: whole(warm) < TARGET });
    emit({ op: 'wholeTaskCold', gas: Number(whole(cold)), target: Number(TARGET), ok: whole(cold) < TARGET });
  } finally {
    await chain.stop();
  }

  // 2. Throughput on the embedded chain (state on disk, as `tacit chain start` runs it):
  //    `lanes` tasks in flight at once, each going through its 8 transactions in order.
  const dataDir = mkdtempSync(join(tmpdir(), 'tacit-bench-chain-'));
  const embedded = await startEmbeddedChain({ dataDir });
  try {
    const ledger = await LocalLedger.deploy(embedded.rpcUrl, {}, { fixedGas: 2_000_000n });
    const tasks = opts.tasks ?? 40;
    const lanes = opts.lanes ?? 4;
    const s = await setupStandardScenario(ledger, { dataUses: BigInt(tasks + 1), requesterFunds: BigInt(tasks + 1) * 100n * 10n ** 18n });
    await runTask(ledger, s); // warm-up
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < tasks) {
          next++;
          await runTask(ledger, s);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    emit({ op: 'tasksPerSecond', value: Number((tasks / seconds).toFixed(2)), tasks, seconds: Number(seconds.toFixed(3)), lanes });
  } finally {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
