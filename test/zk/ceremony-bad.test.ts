/**
 * A cheating node in the trusted-setup ceremony on a real anvil chain: it contributes, then
 * tampers with its output and records the tampered file's hash in ZkCeremony like any
 * honest node. The chain cannot tell; verification of the transcript by any node can.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { devAccount } from '../../src/chain/dev-accounts.js';
import { startEphemeralChain } from '../../src/chain/embedded.js';
import { ZkChain } from '../../src/chain/zk-ledger.js';
import { fileHash, runPhase1, verifyPhase1 } from '../../src/zk/ceremony.js';
import type { Prover } from '../../src/zk/prover.js';
import { prover, zkSkipReason } from './support.js';

const skip = await zkSkipReason();
let chain: Awaited<ReturnType<typeof startEphemeralChain>>;
let zk: ZkChain;
let dir: string;
const coordinator = devAccount(0);
const nodes = [5, 6].map((i) => devAccount(i));
const participants = nodes.map((n) => n.address);
const POWER = 9;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'tacit-zk-ceremony-bad-'));
  chain = await startEphemeralChain();
  zk = await ZkChain.deploy(chain.rpcUrl, coordinator);
  nodes.forEach((n) => zk.addAccount(n));
});
after(async () => {
  await chain?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Flips bytes inside the tau·G1 section of a ptau file: the file still parses, the points are wrong. */
function corrupt(file: string): void {
  const fd = openSync(file, 'r+');
  const buf = Buffer.alloc(64);
  readSync(fd, buf, 0, 64, 4096);
  for (let i = 0; i < 32; i++) buf[i] = buf[i]! ^ 0x5a;
  writeSync(fd, buf, 0, 64, 4096);
  closeSync(fd);
}

test('a bad phase-1 contribution, recorded on-chain by its node, is detected by verification', { skip }, async () => {
  const ledger = zk.ceremonyLedger(coordinator.address);
  // The second node tampers with its output after contributing, then records its hash as usual.
  const cheat: Prover = Object.create(prover, {
    ptauContribute: {
      value: async (input: string, out: string, name: string) => {
        await prover.ptauContribute(input, out, name);
        corrupt(out);
      },
    },
  });
  const p1 = await runPhase1(prover, ledger, { dir: join(dir, 'bad'), power: POWER, label: 'test-bad', participants, proverFor: (p) => (p === participants[1] ? cheat : prover) });
  const onChain = await ledger.transcript(p1.id);
  assert.deepEqual(onChain.hashes, p1.files.steps.map(fileHash), 'the chain holds the cheater’s hash: only the cryptographic check can catch it');
  const check = await verifyPhase1(prover, ledger, p1.id, p1.files);
  assert.equal(check.valid, false);
  assert.ok(check.problems.some((p) => p.includes('does not verify')), check.problems.join('; '));
});
