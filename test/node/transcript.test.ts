/**
 * Link digests (node/tasks/transcript.ts): both endpoints of a link compute the same digest
 * from what they sent and received themselves, whatever the interleaving of steps; a party
 * whose traffic differs from what it claims (here: it sent other bytes) is not matched; the
 * digest of one link does not depend on the others. Also the blame rules a failed session
 * produces (blame.ts): direct faults name the peer, relayed aborts name nobody.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zeroAddress } from 'viem';
import { createMemoryNetworks, PeerDisconnectedError, PeerTimeoutError, SessionAbortedError } from '../../src/net/index.js';
import { recordTranscript } from '../../src/node/tasks/transcript.js';
import { failureReport } from '../../src/node/tasks/blame.js';
import { FailureReason } from '../../src/chain/commit-reveal.js';

const A = '0x' + 'a'.repeat(40);
const B = '0x' + 'b'.repeat(40);
const C = '0x' + 'c'.repeat(40);

async function session(tamper: boolean): Promise<{ rec: ReturnType<typeof recordTranscript>[] }> {
  const nets = createMemoryNetworks([A, B, C]);
  const rec = nets.map((n) => recordTranscript(n));
  const [a, b, c] = rec.map((r) => r.net);
  // A round of shares, then replies on a second step, received in another order than sent.
  await Promise.all([
    (async () => {
      a!.send(B, 'r1', Uint8Array.of(1, 2, 3));
      a!.send(C, 'r1', Uint8Array.of(4));
      await a!.recv(B, 'r2');
      await a!.recv(C, 'r2');
    })(),
    (async () => {
      await b!.recv(A, 'r1');
      b!.send(A, 'r2', Uint8Array.of(9, 9));
      b!.send(C, 'r2', Uint8Array.of(7));
      await b!.recv(C, 'r2');
    })(),
    (async () => {
      await c!.recv(A, 'r1');
      c!.send(B, 'r2', Uint8Array.of(8));
      c!.send(A, 'r2', tamper ? Uint8Array.of(6) : Uint8Array.of(5));
      await c!.recv(B, 'r2');
    })(),
  ]);
  return { rec };
}

test('both endpoints of every link compute the same digest by themselves', async () => {
  const { rec } = await session(false);
  const [a, b, c] = rec;
  assert.equal(a!.linkDigest(B), b!.linkDigest(A));
  assert.equal(a!.linkDigest(C), c!.linkDigest(A));
  assert.equal(b!.linkDigest(C), c!.linkDigest(B));
  assert.notEqual(a!.linkDigest(B), a!.linkDigest(C), 'links are distinct');
});

test('a party that sent other bytes than it claims is found on that link only', async () => {
  // C sends other bytes to A than it "claims" — what it would have sent honestly.
  const claimC = (await session(false)).rec[2]!.linkDigest(A);
  const { rec } = await session(true);
  const [a, b, c] = rec;
  assert.notEqual(a!.linkDigest(C), claimC, 'A saw different bytes from C than C claims to have sent');
  assert.equal(c!.linkDigest(A), a!.linkDigest(C), 'its actual transcript still matches A');
  assert.equal(b!.linkDigest(C), c!.linkDigest(B), 'the B–C link is unaffected');
});

test('failure reports blame only a directly observed peer', () => {
  const members = new Set([A, B, C]);
  const disc = failureReport(new PeerDisconnectedError(C, 'r2'), false, members, A);
  assert.deepEqual([disc.reason, disc.blamed], [FailureReason.Disconnected, C]);
  const slow = failureReport(new PeerTimeoutError(B, 'connect', 1000), true, members, A);
  assert.deepEqual([slow.reason, slow.blamed], [FailureReason.Timeout, B]);
  const relayed = failureReport(new SessionAbortedError(B, 'r2', { origin: B, error: 'PeerDisconnectedError', culprit: C, reason: 'x' }), false, members, A);
  assert.deepEqual([relayed.reason, relayed.blamed], [FailureReason.Aborted, zeroAddress]);
  const stranger = failureReport(new PeerDisconnectedError('0x' + 'd'.repeat(40), 'r2'), false, members, A);
  assert.equal(stranger.blamed, zeroAddress);
  const local = failureReport(new Error('out of memory'), false, members, A);
  assert.deepEqual([local.reason, local.blamed], [FailureReason.Local, zeroAddress]);
});
