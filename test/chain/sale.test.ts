/**
 * DataTokenSale on a real anvil: an owner offers uses of its dataset, a requester buys them
 * (payment to the owner, data tokens from the owner), and every guard reverts by name.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DataTokenSaleAbi } from '../../src/chain/artifacts.js';
import type { LocalLedger, StandardScenario } from '../../src/chain/local-ledger.js';
import { deltas, expectRevert, setupStandardScenario, startLocalLedger, TOKEN } from './fixture.js';

let env: Awaited<ReturnType<typeof startLocalLedger>>;
let ledger: LocalLedger;
let s: StandardScenario;
const MAX = 2n ** 256n - 1n;

before(async () => {
  env = await startLocalLedger();
  ledger = env.ledger;
  s = await setupStandardScenario(ledger);
});
after(() => env?.stop());

const sale = () => ledger.manifest.contracts.DataTokenSale;
const call = (who: ReturnType<LocalLedger['account']>, fn: 'openSale' | 'closeSale' | 'buy', args: readonly unknown[]) =>
  ledger.tx(who, fn, (w) => w.writeContract({ address: sale(), abi: DataTokenSaleAbi, functionName: fn, args: args as never }));

test('buy: the requester pays the owner and receives one data token per use', async () => {
  await call(s.dataOwner, 'openSale', [s.datasetId, 3n * TOKEN]);
  await ledger.approve(s.dataOwner, s.dataToken, sale(), MAX);
  await ledger.approve(s.requester, ledger.manifest.contracts.PaymentToken, sale(), MAX);
  // The owner gave its whole initial supply away in the scenario: mint more to sell.
  await ledger.tx(s.dataOwner, 'mint', (w) =>
    w.writeContract({ address: s.dataToken, abi: [{ type: 'function', name: 'mint', stateMutability: 'nonpayable', inputs: [{ name: 'to', type: 'address' }, { name: 'amount', type: 'uint256' }], outputs: [] }] as const, functionName: 'mint', args: [s.dataOwner.address, 5n * TOKEN] }),
  );
  const who = [s.requester.address, s.dataOwner.address, sale()];
  const pay = await deltas(ledger, ledger.manifest.contracts.PaymentToken, who, async () => {
    const data = await deltas(ledger, s.dataToken, who, () => call(s.requester, 'buy', [s.datasetId, 2n, 6n * TOKEN]));
    assert.deepEqual(data, [2n * TOKEN, -2n * TOKEN, 0n]);
  });
  assert.deepEqual(pay, [-6n * TOKEN, 6n * TOKEN, 0n]);
  const [open, price] = await ledger.pub.readContract({ address: sale(), abi: DataTokenSaleAbi, functionName: 'offerOf', args: [s.datasetId] });
  assert.equal(open, true);
  assert.equal(price, 3n * TOKEN);
});

test('a price raised after the buyer looked cannot be charged: buy reverts above maxCost, nothing moves', async () => {
  // The buyer saw 3 per use and sends maxCost = 2 × 3; the owner raises the price first.
  await call(s.dataOwner, 'openSale', [s.datasetId, 4n * TOKEN]);
  const who = [s.requester.address, s.dataOwner.address];
  const pay = await deltas(ledger, ledger.manifest.contracts.PaymentToken, who, () =>
    expectRevert(call(s.requester, 'buy', [s.datasetId, 2n, 6n * TOKEN]), 'DataTokenSalePriceAboveMax'),
  );
  assert.deepEqual(pay, [0n, 0n]);
  // At the new price, with a maximum that covers it, the purchase goes through.
  await call(s.requester, 'buy', [s.datasetId, 1n, 4n * TOKEN]);
});

test('guards: only the owner opens or closes; closed, zero and unknown are refused', async () => {
  await expectRevert(call(s.requester, 'openSale', [s.datasetId, 1n]), 'DataTokenSaleNotOwner');
  await expectRevert(call(s.requester, 'closeSale', [s.datasetId]), 'DataTokenSaleNotOwner');
  await expectRevert(call(s.requester, 'buy', [s.datasetId, 0n, 0n]), 'DataTokenSaleZeroUses');
  await call(s.dataOwner, 'closeSale', [s.datasetId]);
  await expectRevert(call(s.requester, 'buy', [s.datasetId, 1n, MAX]), 'DataTokenSaleNotOpen');
  await expectRevert(call(s.requester, 'buy', [999n, 1n, MAX]), 'DataTokenSaleNotOpen');
});
