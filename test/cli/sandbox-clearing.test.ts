// The sandbox's clearing step on a real anvil with the sandbox's four node processes as the
// banks: gridlocked queues (a gross system settles nothing) net fully through the nodes,
// each bank's on-chain balance moves by exactly its plaintext net position (and by what its
// node says it learnt), gas per bank stays under the target, nothing stays in the contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalNetwork } from '../../src/node/local/network.js';
import { runClearingStep } from '../../src/cli/sandbox-clearing.js';

test('sandbox clearing step: the nodes resolve the gridlock on-chain, balances equal the plaintext rule', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tacit-sbx-clearing-'));
  const net = await startLocalNetwork({
    dir: join(dir, 'net'),
    nodes: [
      { name: 'bank', roles: ['data', 'compute', 'receiver'] },
      { name: 'bureau', roles: ['data', 'compute'] },
      { name: 'telco', roles: ['data', 'compute'] },
      { name: 'fintech', roles: ['data'] },
    ],
  });
  try {
    const r = await runClearingStep(net, join(dir, 'clearing'));
    assert.equal(r.state, 'Settled');
    assert.ok(r.ok, JSON.stringify(r.balances));
    assert.equal(r.grossSettles, 0);
    assert.ok(r.tacitLiquidity < r.grossLiquidity);
    assert.equal(r.settledValue, r.grossLiquidity);
    for (const b of r.balances) {
      assert.equal(b.net, b.plaintextNet, b.bank);
      assert.equal(b.nodeNet, b.plaintextNet, b.bank);
    }
    assert.equal(r.balances.reduce((s, b) => s + Math.round(b.net * 100), 0), 0);
    assert.ok(r.settleGas > 0 && r.settleGas / r.banks < 30_000, `${r.settleGas} gas`);
    assert.equal(await net.ledger.balanceOf(net.manifest.contracts.PaymentToken, net.manifest.contracts.Clearing!), 0n);
  } finally {
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
