/**
 * The sandbox's clearing step, run by the sandbox's own node processes: the four
 * institution nodes are the banks, their queues (the seeded generator's `gridlock` case)
 * jam a gross system outright. Each bank's operator gives its node its standing queue and
 * the liquidity it commits (the node API, as `tacit clearing queue` does); a cycle is opened
 * through the SDK with its parameters on-chain, and the nodes do the rest by themselves —
 * lock, net under MPC over their TLS mesh (the three compute nodes compute), approve the
 * same digest and settle in one transaction (src/node/clearing). The summary shows the
 * liquidity a gross system would need against what netting needed, and each bank's token
 * balance before and after, checked against the plaintext rule computed here (where all
 * the demo queues are) and against what each node says it learnt.
 */
import { mkdirSync } from 'node:fs';
import { parseEventLogs, type Address } from 'viem';
import { ClearingAbi } from '../chain/artifacts.js';
import { devAccount } from '../chain/dev-accounts.js';
import { generateQueues, writeQueues } from '../algorithms/clearing/generate.js';
import { clearBounded, settleGross } from '../algorithms/clearing/plaintext.js';
import type { LocalNetwork } from '../node/local/network.js';
import { createTacitClient, getClearingCycle, openClearingCycle } from '../sdk/index.js';

const UNIT = 10n ** 16n; // token units per cent: the test token has 18 decimals
const ITERATIONS = 16;

export interface ClearingStepReport {
  banks: number;
  payments: number;
  cycleId: string;
  state: string;
  /** Value a gross system settles with the same balances (0: gridlocked). */
  grossSettles: number;
  /** Liquidity a gross system would need for the settled payments vs what netting needed (currency units). */
  grossLiquidity: number;
  tacitLiquidity: number;
  settledValue: number;
  /** Seconds from opening the cycle to its settlement (locks, MPC, approvals, settlement). */
  cycleSeconds: number;
  /** The MPC at the slowest compute node. */
  mpcSeconds: number;
  settleGas: number;
  approveGas: number;
  /** Per bank: wallet balance before locking and after settlement (currency units), its net on-chain, the plaintext net, and the net its node reports. */
  balances: { bank: string; before: number; after: number; net: number; plaintextNet: number; nodeNet: number }[];
  ok: boolean;
}

const money = (units: bigint) => Number(units / UNIT) / 100;

interface NodeCycle {
  status: string;
  error?: string;
  result?: { net: number; settled: string[] };
  aggregates?: { settledValue: number; netLiquidity: number };
  mpcSeconds?: number;
}

export async function runClearingStep(net: LocalNetwork, dir: string, say: (m: string) => void = () => {}): Promise<ClearingStepReport> {
  const nodes = net.nodes;
  const names = nodes.map((n) => n.name);
  const queues = generateQueues({ banks: nodes.length, payments: 60, seed: 2026, gridlock: true, names });
  mkdirSync(dir, { recursive: true });
  const files = writeQueues(dir, queues);
  const token = net.manifest.contracts.PaymentToken;
  const ref = clearBounded(queues, ITERATIONS);
  const ledger = net.ledger;

  say(`  clearing: each bank node gets its standing queue and committed liquidity (queues in ${dir})`);
  for (const [i, n] of nodes.entries()) {
    // Its liquidity, and 1,000.00 more, on top of what the node already holds.
    await ledger.mint(n.address, BigInt(queues[i]!.balance) * UNIT + 1000n * 100n * UNIT);
    await retried(() => n.api.request('POST', '/clearing/queue', { path: files[n.name], liquidity: queues[i]!.balance }));
  }
  const before = await Promise.all(nodes.map((n) => ledger.balanceOf(token, n.address)));

  say('  clearing: a cycle opened on-chain; the nodes lock, net under MPC (rep3 among bank, bureau, telco), approve, settle');
  const opener = createTacitClient({ manifest: net.manifest, rpcUrl: net.rpcUrl, account: devAccount(0) });
  const t0 = performance.now();
  const { cycleId } = await openClearingCycle(opener, {
    banks: nodes.map((n) => n.address),
    computeParties: nodes.slice(0, 3).map((n) => n.address),
    deadline: BigInt(Math.max(Number(await ledger.now()), Math.floor(Date.now() / 1000))) + 300n,
    run: { slots: Math.max(...queues.map((q) => q.payments.length)), iterations: ITERATIONS, unitsPerCent: UNIT.toString() },
  });
  let cycle = await getClearingCycle(opener, { cycleId });
  while (cycle.state === 'Open') {
    await new Promise((r) => setTimeout(r, 300));
    cycle = await getClearingCycle(opener, { cycleId });
  }
  const cycleSeconds = (performance.now() - t0) / 1000;
  const after = await Promise.all(nodes.map((n) => ledger.balanceOf(token, n.address)));

  // Gas: the approvals and the settlement, read from the Clearing logs of this cycle.
  const logs = await ledger.pub.getLogs({ address: net.manifest.contracts.Clearing!, fromBlock: 0n });
  let approveGas = 0n;
  let settleGas = 0n;
  for (const ev of parseEventLogs({ abi: ClearingAbi, logs })) {
    if ((ev.args as { cycleId?: bigint }).cycleId !== cycleId) continue;
    if (ev.eventName !== 'SettlementApproved' && ev.eventName !== 'CycleSettled') continue;
    const gas = (await ledger.pub.getTransactionReceipt({ hash: ev.transactionHash })).gasUsed;
    if (ev.eventName === 'SettlementApproved') approveGas += gas;
    else settleGas = gas;
  }
  // What each node says it learnt (its own outputs only).
  const seen: NodeCycle[] = [];
  for (const n of nodes) {
    let rec: NodeCycle;
    for (let i = 0; ; i++) {
      rec = await retried(() => n.api.request<NodeCycle>('GET', `/clearing/cycles/${cycleId}`));
      if (rec.status === 'settled' || rec.status === 'expired' || i > 50) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    seen.push(rec);
  }
  const balances = names.map((bank, i) => ({
    bank,
    before: money(before[i]!),
    after: money(after[i]!),
    net: money(after[i]! - before[i]!),
    plaintextNet: Number(ref.banks[i]!.net) / 100,
    nodeNet: Number(seen[i]!.result?.net ?? NaN) / 100,
  }));
  const first = seen[0]!;
  const ok = cycle.state === 'Settled' && balances.every((b) => b.net === b.plaintextNet && b.nodeNet === b.plaintextNet);
  return {
    banks: names.length,
    payments: queues.reduce((s, q) => s + q.payments.length, 0),
    cycleId: cycleId.toString(),
    state: cycle.state,
    grossSettles: Number(settleGross(queues)) / 100,
    grossLiquidity: Number(ref.grossLiquidity) / 100,
    tacitLiquidity: Number(first.aggregates?.netLiquidity ?? NaN) / 100,
    settledValue: Number(first.aggregates?.settledValue ?? NaN) / 100,
    cycleSeconds,
    mpcSeconds: Math.max(...seen.slice(0, 3).map((s) => s.mpcSeconds ?? 0)),
    settleGas: Number(settleGas),
    approveGas: Number(approveGas),
    balances,
    ok,
  };
}

/** An idempotent API call, retried when a pooled keep-alive connection drops under load. */
async function retried<T>(call: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await call();
    } catch (err) {
      if ((err as Error).name !== 'NodeNotRunningError' || i >= 3) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export function clearingSummaryLines(r: ClearingStepReport): string[] {
  const out = [
    `  clearing    cycle #${r.cycleId.padEnd(3)} ${r.ok ? 'Settled ' : r.state === 'Settled' ? 'MISMATCH' : r.state.padEnd(8)} ${r.cycleSeconds.toFixed(1).padStart(6)} s  ${String(r.settleGas).padStart(9)} gas (+${r.approveGas} approvals)`,
    `      ${r.banks} bank nodes, ${r.payments} payments; a gross system settles ${r.grossSettles.toFixed(2)} with the same balances (gridlocked)`,
    `      liquidity: gross ${r.grossLiquidity.toFixed(2)} vs Tacit ${r.tacitLiquidity.toFixed(2)} (settled ${r.settledValue.toFixed(2)}; MPC ${r.mpcSeconds.toFixed(1)} s)`,
  ];
  for (const b of r.balances) {
    const sign = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
    out.push(`      ${b.bank.padEnd(8)} ${b.before.toFixed(2).padStart(12)} → ${b.after.toFixed(2).padStart(12)}  net ${sign(b.net)} (plaintext ${sign(b.plaintextNet)}, node says ${sign(b.nodeNet)})`);
  }
  return out;
}

export type { Address };
