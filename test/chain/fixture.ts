/**
 * Shared helpers of the chain tests: a fresh anvil + deployment per test file, revert
 * matching by custom error name, and balance snapshots so each test can assert every
 * account's change (and that the TaskMarket ends holding nothing).
 */
import assert from 'node:assert/strict';
import type { Account, Address, Hex } from 'viem';
import { claimsOf, commitmentOf, freshSalt, type CommitOpening } from '../../src/chain/commit-reveal.js';
import { TransactionRevertedError, type LocalLedger } from '../../src/chain/local-ledger.js';

export { startLocalLedger, setupStandardScenario, TOKEN } from '../../src/chain/local-ledger.js';

/** Asserts that `p` rejects with the custom error `name` (decoded from the revert data). */
export async function expectRevert(p: Promise<unknown>, name: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof TransactionRevertedError, `expected a revert with ${name}, got ${String(err)}`);
    assert.equal(err.errorName, name);
    return true;
  });
}

/** Balances of `who` in `token`, read now. */
export async function balances(ledger: LocalLedger, token: Address, who: Address[]): Promise<bigint[]> {
  return Promise.all(who.map((w) => ledger.balanceOf(token, w)));
}

/** Per-account change of `token` balance while `action` runs. */
export async function deltas(
  ledger: LocalLedger,
  token: Address,
  who: Address[],
  action: () => Promise<unknown>,
): Promise<bigint[]> {
  const before = await balances(ledger, token, who);
  await action();
  const after = await balances(ledger, token, who);
  return after.map((a, i) => a - before[i]!);
}

export const RESULT_A: Hex = `0x${'aa'.repeat(32)}`;
export const RESULT_B: Hex = `0x${'bb'.repeat(32)}`;
export const RESULT_C: Hex = `0x${'cc'.repeat(32)}`;

/** A link digest per pair of compute parties, as honest endpoints would both compute it. */
export const pairDigest = (lo: number, hi: number, salt = 0): Hex => `0x${(lo * 16 + hi + 1 + salt * 64).toString(16).padStart(2, '0').repeat(32)}`;

/** Openings for `n` compute parties; `lie` makes party `lie` claim different digests. */
export function openings(n: number, lie?: number): CommitOpening[] {
  return Array.from({ length: n }, (_, i) => ({ claims: claimsOf(i, n, (lo, hi) => pairDigest(lo, hi, i === lie ? 1 : 0)), salt: freshSalt() }));
}

/** Each of `nodes` commits to its opening (in order); returns the receipts. */
export async function commitAll(ledger: LocalLedger, taskId: bigint, nodes: Account[], ops: CommitOpening[]) {
  const out = [];
  for (const [i, node] of nodes.entries()) {
    out.push(await ledger.commit(node, taskId, commitmentOf(ledger.manifest.contracts.TaskMarket, ledger.manifest.chainId, taskId, node.address, ops[i]!)));
  }
  return out;
}

/** Each of `nodes` reveals its opening (in order); returns the receipts. */
export async function revealAll(ledger: LocalLedger, taskId: bigint, nodes: Account[], ops: CommitOpening[]) {
  const out = [];
  for (const [i, node] of nodes.entries()) out.push(await ledger.reveal(node, taskId, ops[i]!.claims, ops[i]!.salt));
  return out;
}

/** Stakes of `who` in the NodeRegistry. */
export async function stakes(ledger: LocalLedger, who: Address[]): Promise<bigint[]> {
  return Promise.all(who.map(async (w) => (await ledger.contracts.nodeRegistry.read.getNode([w])).stake));
}
