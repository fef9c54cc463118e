/**
 * Chain benchmark: gas of each step of a task's lifecycle and of one whole task (create,
 * accept by 4 nodes — the receiver is one of them —, 3 salted commitments, 3 reveals — the
 * last of which settles), against the 1,000,000-gas target; then how many whole tasks per
 * second the embedded chain sustains.
 *
 * Settlement happens inside the last reveal (it saves a transaction), so "settle" is
 * reported as the marginal gas of that reveal over an ordinary one. Gas is measured on a
 * warm ledger (a task already ran, so every party holds a non-zero token balance: the
 * steady state); the very first task, which also pays for first-time balance slots, is
 * reported as "wholeTaskCold". One JSON object per line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { claimsOf, commitmentOf, freshSalt } from '../src/chain/commit-reveal.js';
import { startEmbeddedChain, startEphemeralChain } from '../src/chain/embedded.js';
import { LocalLedger, setupStandardScenario, type StandardScenario } from '../src/chain/local-ledger.js';

const TARGET = 1_000_000n;
/** A link digest per pair of compute parties (what both endpoints would compute). */
const pair = (lo: number, hi: number): Hex => `0x${(lo * 16 + hi + 1).toString(16).padStart(2, '0').repeat(32)}`;

interface TaskGas {
  create: bigint;
  accepts: bigint[];
  commits: bigint[];
  reveals: bigint[];
  /** The receiver's optional Poseidon result commitment for zero-knowledge claims (docs/zk.md). */
  resultCommitment?: bigint;
}

async function runTask(ledger: LocalLedger, s: StandardScenario, zkResult = false): Promise<TaskGas> {
  const { taskId, receipt } = await ledger.createTask(s.requester, await s.spec());
  const accepts: bigint[] = [];
  for (const node of [s.dataOwner, ...s.compute]) accepts.push((await ledger.accept(node, taskId)).gasUsed);
  const { TaskMarket } = ledger.manifest.contracts;
  const openings = s.compute.map((_, i) => ({ claims: claimsOf(i, s.compute.length, pair), salt: freshSalt() }));
  const commits: bigint[] = [];
  for (const [i, node] of s.compute.entries()) {
    commits.push((await ledger.commit(node, taskId, commitmentOf(TaskMarket, ledger.manifest.chainId, taskId, node.address, openings[i]!))).gasUsed);
  }
  // The receiver (compute[0] in the standard scenario) records its result commitment while the task runs.
  const resultCommitment = zkResult ? (await ledger.commitResult(s.compute[0], taskId, 0x1234_5678_9abc_def0_1234_5678_9abc_def0n)).gasUsed : undefined;
  const reveals: bigint[] = [];
  for (const [i, node] of s.compute.entries()) reveals.push((await ledger.reveal(node, taskId, openings[i]!.claims, openings[i]!.salt)).gasUsed);
  return { create: receipt.gasUsed, accepts, commits, reveals, ...(resultCommitment !== undefined ? { resultCommitment } : {}) };
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
    const ordinaryReveal = mean(warm.reveals.slice(0, -1));
    const lastReveal = warm.reveals[warm.reveals.length - 1]!;
    const whole = (g: TaskGas) => g.create + sum(g.accepts) + sum(g.commits) + sum(g.reveals);
    emit({ op: 'createTask', gas: Number(warm.create) });
    emit({ op: 'accept', gas: Number(mean(warm.accepts)), calls: warm.accepts.length, each: warm.accepts.map(Number) });
    emit({ op: 'commit', gas: Number(mean(warm.commits)), calls: warm.commits.length, each: warm.commits.map(Number) });
    emit({ op: 'reveal', gas: Number(ordinaryReveal), calls: warm.reveals.length - 1, each: warm.reveals.map(Number) });
    emit({ op: 'settle', gas: Number(lastReveal - ordinaryReveal), lastRevealGas: Number(lastReveal), auto: true });
    emit({ op: 'wholeTask', gas: Number(whole(warm)), target: Number(TARGET), ok: whole(warm) < TARGET });
    emit({ op: 'wholeTaskCold', gas: Number(whole(cold)), target: Number(TARGET), ok: whole(cold) < TARGET });
    const withZk = await runTask(ledger, s, true);
    const wholeZk = whole(withZk) + withZk.resultCommitment!;
    emit({ op: 'commitResult', gas: Number(withZk.resultCommitment!) });
    emit({ op: 'wholeTaskWithResultCommitment', gas: Number(wholeZk), target: Number(TARGET), ok: wholeZk < TARGET });
  } finally {
    await chain.stop();
  }

  // 2. Throughput on the embedded chain (state on disk, as `tacit chain start` runs it):
  //    `lanes` tasks in flight at once, each going through its 11 transactions in order.
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
