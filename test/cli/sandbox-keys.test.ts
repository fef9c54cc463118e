// The sandbox's custody-key step among four real node processes on anvil: a 3-of-4 key made
// and registered through node tasks, vault payouts on three and then two signatures (the
// vault's ether and the beneficiary's balance read back from the chain), resharing to 2-of-3
// with the same group key and the registry at the next epoch, and the leaver's stale share
// failing: it does not interpolate to the group key and the vault rejects what it signs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalNetwork } from '../../src/node/local/network.js';
import { createTacitClient } from '../../src/sdk/index.js';
import { devAccount } from '../../src/chain/dev-accounts.js';
import { runKeysStep } from '../../src/cli/sandbox-keys.js';

test('sandbox keys step: 3-of-4 custody, payouts the vault verifies, reshare to 2-of-3, the stale share rejected', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tacit-sbx-keys-'));
  const net = await startLocalNetwork({
    dir: join(dir, 'net'),
    nodes: [
      { name: 'bank', roles: ['data', 'compute', 'receiver'] },
      { name: 'bureau', roles: ['data', 'compute', 'receiver'] },
      { name: 'telco', roles: ['data', 'compute', 'receiver'] },
      { name: 'fintech', roles: ['data', 'compute'] },
    ],
  });
  try {
    const account = devAccount(9);
    await net.ledger.mint(account.address, 100n * 10n ** 18n);
    const client = createTacitClient({ manifest: net.manifest, rpcUrl: net.rpcUrl, account });
    const r = await runKeysStep(net, client, () => {});
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual([r.before.threshold, r.before.members.length, r.after.threshold, r.after.members], [3, 4, 2, ['bank', 'bureau', 'telco']]);
    assert.equal(r.after.epoch, r.before.epoch + 1);
    assert.equal(r.after.registryEpoch, r.after.epoch);
    assert.ok(r.sameGroupKey);
    assert.deepEqual([r.balances.vaultEnd, r.balances.beneficiaryGain], [2.5, 2.5]);
    assert.equal(r.staleShare.yieldsGroupKey, false);
    assert.match(r.staleShare.revert ?? '', /CustodyVaultBadSignature/);
    assert.equal(r.steps.length, 4);
    // The fintech did not deal: it keeps only its stale epoch-0 share; the others hold epoch 1.
    for (const n of ['bank', 'bureau', 'telco', 'fintech']) assert.ok(existsSync(join(net.node(n).dir, 'keys', `${r.keyId}.json`)), n);
  } finally {
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
