/**
 * Shared helpers of the chain tests: a fresh anvil + deployment per test file, revert
 * matching by custom error name, and balance snapshots so each test can assert every
 * account's change (and that the TaskMarket ends holding nothing).
 */
import assert from 'node:assert/strict';
import type { Address, Hex } from 'viem';
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
