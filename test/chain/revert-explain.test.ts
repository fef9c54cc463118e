// Reverts explained with their context (issue: a bare `TaskMarketFeeBelowPrices` told the user
// nothing): the fee and the prices it must cover, which token fell short and by how much,
// which node is not eligible and why — checked against the chain state that caused them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { maxUint256 } from 'viem';
import { TransactionRevertedError, type LocalLedger, type StandardScenario } from '../../src/chain/local-ledger.js';
import { setupStandardScenario, startLocalLedger } from './fixture.js';

let env: Awaited<ReturnType<typeof startLocalLedger>>;
let ledger: LocalLedger;
let s: StandardScenario;

before(async () => {
  env = await startLocalLedger();
  ledger = env.ledger;
  s = await setupStandardScenario(ledger);
});
after(() => env?.stop());

async function revert(p: Promise<unknown>, name: string): Promise<TransactionRevertedError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof TransactionRevertedError, String(err));
    assert.equal(err.errorName, name);
    return err;
  }
  assert.fail(`expected ${name}`);
}

test('TaskMarketFeeBelowPrices names the fee, the prices and the fee to offer', async () => {
  const prices = s.price; // one dataset in the standard scenario
  const e = await revert(ledger.createTask(s.requester, await s.spec({ fee: prices - 1n })), 'TaskMarketFeeBelowPrices');
  assert.match(e.details ?? '', new RegExp(`fee ${prices - 1n} is below .* ${prices} \\(short by 1\\)`));
  assert.match(e.hint ?? '', new RegExp(`--fee ${prices}`));
});

test('TaskMarketNodeNotEligible names the node and why the registry does not list it', async () => {
  const stranger = ledger.account(8).address;
  const notRegistered = await revert(ledger.createTask(s.requester, await s.spec({ computeParties: [stranger] })), 'TaskMarketNodeNotEligible');
  assert.match(notRegistered.details ?? '', new RegExp(`${stranger}: it is not registered`));
  const computeOnly = s.compute[1].address;
  const wrongRole = await revert(ledger.createTask(s.requester, await s.spec({ receiver: computeOnly })), 'TaskMarketNodeNotEligible');
  assert.match(wrongRole.details ?? '', /registered as .*compute.*the task needs receiver/);
});

test('ERC20InsufficientBalance names the account, the payment token and the shortfall', async () => {
  const poor = ledger.account(7);
  await ledger.approve(poor, ledger.manifest.contracts.PaymentToken, ledger.manifest.contracts.TaskMarket, maxUint256);
  const balance = await ledger.balanceOf(ledger.manifest.contracts.PaymentToken, poor.address);
  const spec = await s.spec();
  const e = await revert(ledger.createTask(poor, spec), 'ERC20InsufficientBalance');
  assert.match(e.details ?? '', new RegExp(`${poor.address} holds ${balance} of the payment token .* needs ${spec.fee} \\(short by ${spec.fee - balance}\\)`));
  assert.match(e.hint ?? '', /tacit chain fund/);
});
