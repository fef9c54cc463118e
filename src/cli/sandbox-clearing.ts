/**
 * The sandbox's clearing step: five banks whose queues gridlock a gross system (the seeded
 * generator's `gridlock` case) lock their liquidity in `Clearing`, net their queues under
 * MPC — every bank its own process over TLS, as `tacit run clearing` does, the first three
 * banks computing — and settle the result on the sandbox chain in one transaction, after the
 * three compute parties approved the same digest. The summary shows the liquidity a gross
 * system would need against what netting needed, and each bank's token balance before and
 * after, checked against the plaintext rule computed here (where all the demo queues are).
 *
 * Banks are dev accounts 4–8 (not the institution nodes: running a cycle as a task among
 * nodes is not built yet, see docs/clearing.md).
 */
import { mkdirSync } from 'node:fs';
import type { Hex } from 'viem';
import { devAccount } from '../chain/dev-accounts.js';
import type { LocalLedger } from '../chain/local-ledger.js';
import { approveSettlement, lockForCycle, openClearingCycle, settleCycle } from '../chain/clearing.js';
import { generateQueues, writeQueues } from '../algorithms/clearing/generate.js';
import { clearExact, settleGross } from '../algorithms/clearing/plaintext.js';
import { runLocalSession } from '../node/local/cluster.js';
import type { LocalParty } from '../node/local/cluster.js';

const UNIT = 10n ** 16n; // token units per cent: the test token has 18 decimals

export interface ClearingStepReport {
  banks: number;
  payments: number;
  cycleId: string;
  /** Value a gross system settles with the same balances (0: gridlocked). */
  grossSettles: number;
  /** Liquidity a gross system would need for the settled payments vs what netting needed (currency units). */
  grossLiquidity: number;
  tacitLiquidity: number;
  settledValue: number;
  mpcSeconds: number;
  settleGas: number;
  approveGas: number;
  /** Per bank: wallet balance before locking and after settlement (currency units), its net, and the plaintext net. */
  balances: { bank: string; before: number; after: number; net: number; plaintextNet: number }[];
  ok: boolean;
}

const money = (units: bigint) => Number(units / UNIT) / 100;

export async function runClearingStep(ledger: LocalLedger, dir: string, say: (m: string) => void = () => {}): Promise<ClearingStepReport> {
  const queues = generateQueues({ banks: 5, payments: 60, seed: 2026, gridlock: true });
  mkdirSync(dir, { recursive: true });
  writeQueues(dir, queues);
  const names = queues.map((q) => q.bank);
  const accounts = names.map((_, i) => devAccount(4 + i));
  const compute = names.slice(0, 3);
  const token = ledger.manifest.contracts.PaymentToken;
  const ref = clearExact(queues);

  say(`  clearing: ${names.length} banks lock their liquidity (queues in ${dir})`);
  const { cycleId } = await openClearingCycle(ledger, ledger.account(0), {
    token,
    banks: accounts.map((a) => a.address),
    computeParties: accounts.slice(0, 3).map((a) => a.address),
    deadline: (await ledger.now()) + 3600n,
  });
  const locks = queues.map((q) => BigInt(q.balance) * UNIT);
  for (const [i, a] of accounts.entries()) await ledger.mint(a.address, locks[i]! + 1000n * 100n * UNIT); // its liquidity, and 1,000.00 more
  const before = await Promise.all(accounts.map((a) => ledger.balanceOf(token, a.address)));
  for (const [i, a] of accounts.entries()) if (locks[i]! > 0n) await lockForCycle(ledger, a, token, cycleId, locks[i]!);

  say('  clearing: netting under MPC (one process per bank, rep3 among the first three)');
  const parties: LocalParty[] = queues.map((q, i) => ({ id: q.bank, roles: i < 3 ? ['data', 'compute', 'receiver'] : ['data', 'receiver'], local: { queues: [q] } }));
  const results = await runLocalSession({
    program: 'clearing',
    params: { cycleId: cycleId.toString(), banks: names, slots: Math.max(...queues.map((q) => q.payments.length)), iterations: 16, revealAggregates: true, unitsPerCent: UNIT.toString() },
    parties,
    mpc: { protocol: 'rep3', computeParties: compute },
  });
  const settlements = compute.map((c) => results.get(c)!.output!['settlement'] as { nets: string[]; digest: Hex });
  const first = results.get(compute[0]!)!.output!;
  const nets = settlements[0]!.nets.map(BigInt);

  say('  clearing: the compute parties approve the settlement; one transaction settles it');
  let approveGas = 0n;
  for (const [i, s] of settlements.entries()) approveGas += (await approveSettlement(ledger, accounts[i]!, cycleId, s.digest)).gasUsed;
  const settleGas = (await settleCycle(ledger, accounts[0]!, cycleId, nets, first['settledSet'] as Hex)).gasUsed;
  const after = await Promise.all(accounts.map((a) => ledger.balanceOf(token, a.address)));

  const balances = names.map((bank, i) => ({
    bank,
    before: money(before[i]!),
    after: money(after[i]!),
    net: money(after[i]! - before[i]!),
    plaintextNet: Number(ref.banks[i]!.net) / 100,
  }));
  const ok = balances.every((b) => b.net === b.plaintextNet) && nets.every((n, i) => n === ref.banks[i]!.net * UNIT);
  return {
    banks: names.length,
    payments: queues.reduce((s, q) => s + q.payments.length, 0),
    cycleId: cycleId.toString(),
    grossSettles: Number(settleGross(queues)) / 100,
    grossLiquidity: Number(ref.grossLiquidity) / 100,
    tacitLiquidity: Number(first['netLiquidity']) / 100,
    settledValue: Number(first['settledValue']) / 100,
    mpcSeconds: Math.max(...compute.map((c) => results.get(c)!.stats.seconds)),
    settleGas: Number(settleGas),
    approveGas: Number(approveGas),
    balances,
    ok,
  };
}

export function clearingSummaryLines(r: ClearingStepReport): string[] {
  const out = [
    `  clearing    cycle #${r.cycleId.padEnd(3)} ${r.ok ? 'Settled ' : 'MISMATCH'} ${r.mpcSeconds.toFixed(1).padStart(6)} s  ${String(r.settleGas).padStart(9)} gas (+${r.approveGas} approvals)`,
    `      ${r.banks} banks, ${r.payments} payments; a gross system settles ${r.grossSettles.toFixed(2)} with the same balances (gridlocked)`,
    `      liquidity: gross ${r.grossLiquidity.toFixed(2)} vs Tacit ${r.tacitLiquidity.toFixed(2)} (settled ${r.settledValue.toFixed(2)})`,
  ];
  for (const b of r.balances) {
    out.push(`      ${b.bank.padEnd(7)} ${b.before.toFixed(2).padStart(12)} → ${b.after.toFixed(2).padStart(12)}  net ${b.net >= 0 ? '+' : ''}${b.net.toFixed(2)} (plaintext ${b.plaintextNet >= 0 ? '+' : ''}${b.plaintextNet.toFixed(2)})`);
  }
  return out;
}
