// The sandbox's clearing step on a real anvil with real party processes: gridlocked queues
// (a gross system settles nothing) net fully, and each bank's on-chain balance moves by
// exactly its plaintext net position; nothing stays in the contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalLedger } from '../../src/chain/local-ledger.js';
import { runClearingStep } from '../../src/cli/sandbox-clearing.js';

test('sandbox clearing step: gridlock resolved on-chain, balances equal the plaintext rule', async () => {
  const env = await startLocalLedger();
  const dir = mkdtempSync(join(tmpdir(), 'tacit-sbx-clearing-'));
  try {
    const r = await runClearingStep(env.ledger, dir);
    assert.ok(r.ok, JSON.stringify(r.balances));
    assert.equal(r.grossSettles, 0);
    assert.ok(r.tacitLiquidity < r.grossLiquidity);
    assert.equal(r.settledValue, r.grossLiquidity);
    for (const b of r.balances) assert.equal(b.net, b.plaintextNet, b.bank);
    assert.equal(r.balances.reduce((s, b) => s + Math.round(b.net * 100), 0), 0);
    assert.ok(r.settleGas / r.banks < 30_000, `${r.settleGas} gas`);
    assert.equal(await env.ledger.balanceOf(env.ledger.manifest.contracts.PaymentToken, env.ledger.manifest.contracts.Clearing!), 0n);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await env.stop();
  }
});
