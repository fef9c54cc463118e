/**
 * Pieces of the node's vetting (node/tasks/policy.ts) that need no chain: this node's share
 * of a fee (what `minFeePerTask` is compared with, not the total), and refusal reasons cut to
 * the contract's 160-byte limit without splitting a character.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shareOf, truncateUtf8 } from '../../src/node/tasks/policy.js';
import type { ChainTask } from '../../src/node/tasks/chain-view.js';

const task = (fee: bigint, payouts: bigint[], nCompute: number): ChainTask => ({
  id: 1n, requester: '0x0', receiver: '0x0', fee, deadline: 0, status: 'Pending', nCompute, receiverIndex: 0,
  accepted: 0, committed: 0, revealed: 0, reported: 0, parties: payouts.map(() => '0x0'), dataPayouts: payouts,
} as unknown as ChainTask);

test('a node’s share: its data payout plus an equal share of the rest if it computes', () => {
  // 3 compute parties (index 0..2; index 1 also owns a dataset priced 5), a data owner priced 5, fee 40.
  const t = task(40n, [0n, 5n, 0n, 5n], 3);
  assert.equal(shareOf(t, 0), 10n); // (40 − 10) / 3
  assert.equal(shareOf(t, 1), 15n);
  assert.equal(shareOf(t, 3), 5n); // data only
  assert.equal(shareOf(t, -1), 0n);
  assert.ok(shareOf(t, 0) < t.fee, 'compared with the share, a minimum of 20 refuses what the total (40) would pass');
});

test('refusal reasons fit 160 bytes and never split a character', () => {
  const long = 'the requester is not on this node’s allow-list '.repeat(10);
  const cut = truncateUtf8(long);
  assert.ok(Buffer.byteLength(cut) <= 160);
  assert.ok(cut.endsWith('...'));
  assert.ok(!cut.includes('\uFFFD'));
  assert.equal(truncateUtf8('short'), 'short');
});
