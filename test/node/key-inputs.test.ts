// What a node gives the key programs (tasks/key-inputs.ts) and what it reports on-chain when
// a key ceremony fails (tasks/blame.ts): a member silent on this node's own link is blamed,
// one named by a verdict that may rest on others' reports is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zeroAddress } from 'viem';
import { keyInputs, nodeKeyDir } from '../../src/node/tasks/key-inputs.js';
import { failureReport } from '../../src/node/tasks/blame.js';
import { FailurePhase, FailureReason } from '../../src/chain/commit-reveal.js';
import { MisbehavingMemberError, SilentMemberError } from '../../src/keys/errors.js';
import { PeerDisconnectedError } from '../../src/net/errors.js';
import { keyChannel } from '../../src/algorithms/programs/key-common.js';
import type { ProgramContext } from '../../src/algorithms/program.js';

const store = { dir: '/data/keys', passphrase: 'correct horse battery' };
const A = '0x1111111111111111111111111111111111111111';
const B = '0x2222222222222222222222222222222222222222';

test('key programs get the share store, the passphrase and the node’s round deadline; others get nothing', () => {
  assert.equal(nodeKeyDir('/data'), '/data/keys');
  assert.deepEqual(keyInputs('debt-query', store, undefined), {});
  assert.deepEqual(keyInputs('key-dkg', undefined, undefined), {});
  const local = keyInputs('key-sign', store, undefined);
  assert.equal(local['keyDir'], '/data/keys');
  assert.equal(local['passphrase'], store.passphrase);
  assert.equal(local['roundTimeoutMs'], 10_000);
  assert.equal(keyInputs('key-reshare', store, { roundTimeoutMs: 2500 })['roundTimeoutMs'], 2500);
});

test('the round deadline: the task may ask for less than the node allows, never more', () => {
  const ctx = (params: Record<string, unknown>, local: Record<string, unknown>) =>
    ({ plan: { program: 'key-dkg', params }, net: {}, local, progress: () => {} }) as unknown as ProgramContext;
  assert.equal(keyChannel(ctx({ roundTimeoutMs: 60_000 }, { roundTimeoutMs: 5000 })).roundTimeoutMs, 5000);
  assert.equal(keyChannel(ctx({ roundTimeoutMs: 1000 }, { roundTimeoutMs: 5000 })).roundTimeoutMs, 1000);
  assert.equal(keyChannel(ctx({}, {})).roundTimeoutMs, 30_000); // local processes: the program's default
});

test('a silent or dropped member is blamed on-chain; a misbehaviour verdict blames nobody', () => {
  const members = new Set([A, B]);
  assert.deepEqual(failureReport(new SilentMemberError(B, 'dkg/deal', 'sent nothing within 5000 ms'), false, members, A), { phase: FailurePhase.Compute, reason: FailureReason.Timeout, blamed: B });
  const dropped = new SilentMemberError(B, 'dkg/confirm', 'dropped out', { cause: new PeerDisconnectedError(B, 'dkg/confirm') });
  assert.deepEqual(failureReport(dropped, false, members, A), { phase: FailurePhase.Compute, reason: FailureReason.Disconnected, blamed: B });
  // Never itself, never a stranger.
  assert.equal(failureReport(new SilentMemberError(A, 'x', 'y'), false, members, A).blamed, zeroAddress);
  assert.equal(failureReport(new SilentMemberError('0x3333333333333333333333333333333333333333', 'x', 'y'), false, members, A).blamed, zeroAddress);
  assert.equal(failureReport(new MisbehavingMemberError([B], 'dkg/reveal', 'bad share'), false, members, A).blamed, zeroAddress);
});
