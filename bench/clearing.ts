/**
 * `npm run bench -- clearing [--json]`: private netting and gridlock resolution at three
 * sizes (banks × payments in the cycle): 10 × 1,000, 20 × 10,000 and 100 × 10,000.
 *
 * Three banks are the rep3 compute parties, each its own process on loopback TLS; the other
 * banks only input and receive, so one process hosts them all (a host inputs all its banks'
 * queues in one message and gets their outputs in one). The queues come from the seeded
 * generator (`liquidity` 0.6: the rule has to withdraw payments). The baseline measured in
 * the same run is the plaintext of the same algorithm (its result must be identical) and
 * the exact one-at-a-time rule (optimality = settled value / the rule's).
 * settleGas: the MPC's settlement applied by Clearing.sol on anvil, every bank having
 * locked its balance; the three compute parties' approvals are reported apart.
 * TACIT_BENCH_CLEARING_SIZES=10x1000,20x10000 picks sizes.
 */
import { createTestClient, http, parseEther, type Hex } from 'viem';
import { runLocalSession, type LocalParty } from '../src/node/local/cluster.js';
import { generateQueues } from '../src/algorithms/clearing/generate.js';
import { clearBounded, clearExact } from '../src/algorithms/clearing/plaintext.js';
import { DEFAULT_CLEARING_ITERATIONS } from '../src/algorithms/programs/clearing.js';
import { startLocalLedger } from '../src/chain/local-ledger.js';
import { approveSettlement, lockForCycle, openClearingCycle, settleCycle } from '../src/chain/clearing.js';
import { settlementDigest } from '../src/algorithms/clearing/settlement.js';

const UNIT = 10n ** 16n; // token units per cent (18 decimals)

function emit(json: boolean, line: Record<string, unknown>): void {
  if (json) console.log(JSON.stringify({ suite: 'clearing', ...line }));
  else console.log(Object.entries(line).map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 1e4) / 1e4 : JSON.stringify(v)}`).join('  '));
}

export async function runClearingBench(opts: { json: boolean }): Promise<void> {
  const sizes = (process.env.TACIT_BENCH_CLEARING_SIZES ?? '10x1000,20x10000,100x10000').split(',').map((s) => s.split('x').map(Number) as [number, number]);
  const chain = await startLocalLedger();
  try {
    for (const [k, [B, P]] of sizes.entries()) {
      const cycleId = BigInt(k + 1); // the k-th cycle opened on this fresh chain
      const queues = generateQueues({ banks: B, payments: P, seed: 2026, liquidity: 0.6 });
      const banks = queues.map((q) => q.bank);
      const compute = banks.slice(0, 3);
      const hosts = banks.map((b) => (compute.includes(b) ? b : 'others'));
      const slots = Math.ceil(P / B);
      const T = DEFAULT_CLEARING_ITERATIONS;
      const parties: LocalParty[] = [
        ...compute.map((b, i) => ({ id: b, roles: ['data', 'compute', 'receiver'] as LocalParty['roles'], local: { queues: [queues[i]!] } })),
        { id: 'others', roles: ['data', 'receiver'], local: { queues: queues.slice(3) } },
      ];
      const t0 = performance.now();
      const results = await runLocalSession({
        program: 'clearing',
        params: { cycleId: cycleId.toString(), banks, hosts, slots, iterations: T, revealAggregates: true, unitsPerCent: UNIT.toString() },
        parties,
        mpc: { protocol: 'rep3', computeParties: compute },
        nodeArgs: ['--max-old-space-size=4096'],
      });
      const wallSeconds = (performance.now() - t0) / 1000;
      const stats = compute.map((c) => results.get(c)!.stats);
      const out = results.get(compute[0]!)!.output as { timings: Record<string, number>; settlement: { nets: string[]; digest: Hex }; settledSet: Hex; liquiditySaved: number; settledValue: number };

      const p0 = performance.now();
      const ref = clearBounded(queues, T);
      const plaintextSeconds = (performance.now() - p0) / 1000;
      const exact = clearExact(queues);
      const nets = out.settlement.nets.map(BigInt);
      const matches = nets.every((n, i) => n === ref.banks[i]!.net * UNIT) && BigInt(out.settledValue) === ref.settledValue;

      const gas = await settleGas(chain.ledger, cycleId, queues.map((q) => BigInt(q.balance) * UNIT), nets, out.settledSet, out.settlement.digest);
      const seconds = Math.max(...stats.map((s) => s.seconds));
      emit(opts.json, {
        banks: B, payments: P, slotsPerBank: slots, iterations: T,
        seconds, wallSeconds, bytesPerParty: Math.max(...stats.map((s) => s.bytesSent)), rounds: Math.max(...stats.map((s) => s.rounds)),
        liquiditySaved: out.liquiditySaved, settledValue: out.settledValue,
        settleGas: Number(gas.settle), settleGasPerBank: Math.round(Number(gas.settle) / B), approveGas: Number(gas.approvals),
        phases: out.timings, hostPhases: (results.get('others')!.output as { timings: Record<string, number> }).timings,
        plaintextSeconds, matchesPlaintext: matches, converged: ref.converged, convergedAt: ref.convergedAt,
        optimality: exact.settledValue === 0n ? 1 : Number(ref.settledValue) / Number(exact.settledValue),
        target: B <= 20 ? 10 : 60, ok: matches && seconds <= (B <= 20 ? 10 : 60) && Number(gas.settle) / B <= 30_000,
      });
    }
  } finally {
    await chain.stop();
  }
}

/** Opens a cycle for `locks.length` fresh banks, locks, approves and settles; returns gas. */
async function settleGas(ledger: Awaited<ReturnType<typeof startLocalLedger>>['ledger'], expectedId: bigint, locks: bigint[], nets: bigint[], settledSet: Hex, mpcDigest: Hex) {
  const testClient = createTestClient({ mode: 'anvil', transport: http(ledger.rpcUrl) });
  const token = ledger.manifest.contracts.PaymentToken;
  const banks = locks.map((_, i) => ledger.account(10 + i));
  const compute = [ledger.account(1), ledger.account(2), ledger.account(3)];
  for (const b of banks) await testClient.setBalance({ address: b.address, value: parseEther('10') });
  const { cycleId } = await openClearingCycle(ledger, ledger.account(0), {
    token, banks: banks.map((b) => b.address), computeParties: compute.map((c) => c.address), deadline: (await ledger.now()) + 3600n,
  });
  await Promise.all(banks.map(async (b, i) => {
    await ledger.mint(b.address, locks[i]! + UNIT, b); // the bank keeps a balance beside its lock
    if (locks[i]! > 0n) await lockForCycle(ledger, b, token, cycleId, locks[i]!);
  }));
  const digest = settlementDigest(cycleId, nets, settledSet);
  if (cycleId !== expectedId || digest !== mpcDigest) throw new Error(`bench: cycle ${cycleId} digest differs from the compute parties' (cycle ${expectedId})`);
  let approvals = 0n;
  for (const c of compute) approvals += (await approveSettlement(ledger, c, cycleId, digest)).gasUsed;
  const settle = (await settleCycle(ledger, compute[0]!, cycleId, nets, settledSet)).gasUsed;
  return { settle, approvals };
}
