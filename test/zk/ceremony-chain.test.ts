/**
 * The trusted-setup ceremony among three nodes on a real anvil chain: phase 1 (powers of
 * tau) and phase 2 for the row-count circuit, each contribution in its own prover process,
 * each transcript hash recorded by the contributor's own account in ZkCeremony. Any node
 * verifies the whole transcript; a node that contributes a bad file (recorded on-chain like
 * any other) is caught by the cryptographic check, and a file swapped after the fact by the
 * hash check (the cheating node: ceremony-bad.test.ts). The contract refuses out-of-turn and
 * chain-breaking contributions.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { devAccount } from '../../src/chain/dev-accounts.js';
import { startEphemeralChain } from '../../src/chain/embedded.js';
import { ZkChain } from '../../src/chain/zk-ledger.js';
import { compileCircuit } from '../../src/zk/artifacts.js';
import { fileHash, runPhase1, runPhase2, verifyPhase1, verifyPhase2 } from '../../src/zk/ceremony.js';
import { rowCountCircuit } from '../../src/zk/circuits/dataset-claims.js';
import { expectRevert } from '../chain/fixture.js';
import { prover, zkSkipReason } from './support.js';

const skip = await zkSkipReason();
let chain: Awaited<ReturnType<typeof startEphemeralChain>>;
let zk: ZkChain;
let dir: string;
const coordinator = devAccount(0);
const nodes = [5, 6, 7].map((i) => devAccount(i));
const participants = nodes.map((n) => n.address);
const POWER = 9; // the row-count circuit has ~300 constraints

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'tacit-zk-ceremony-'));
  chain = await startEphemeralChain();
  zk = await ZkChain.deploy(chain.rpcUrl, coordinator);
  nodes.forEach((n) => zk.addAccount(n));
});
after(async () => {
  await chain?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('three nodes run phase 1 and phase 2; any node verifies the transcript against the chain', { skip }, async () => {
  const ledger = zk.ceremonyLedger(coordinator.address);
  const p1 = await runPhase1(prover, ledger, { dir: join(dir, 'good'), power: POWER, label: 'test-good', participants });
  const onChain = await ledger.transcript(p1.id);
  assert.equal(onChain.hashes.length, 4);
  assert.deepEqual(onChain.hashes, p1.files.steps.map(fileHash));
  assert.equal(onChain.finalHash, p1.finalHash);
  assert.deepEqual(await verifyPhase1(prover, ledger, p1.id, p1.files), { valid: true, problems: [] });

  const circuit = await compileCircuit(prover, rowCountCircuit());
  const p2 = await runPhase2(prover, ledger, { dir: join(dir, 'good-p2'), circuit, ptauFinal: p1.files.final, participants });
  assert.deepEqual(await verifyPhase2(prover, ledger, p2.id, circuit, p1.files.final, p2.files), { valid: true, problems: [] });
  assert.equal(p2.vk.nPublic, 2);

  // A file swapped after the fact no longer matches the chain.
  copyFileSync(p1.files.steps[1]!, p1.files.steps[2]!);
  const swapped = await verifyPhase1(prover, ledger, p1.id, p1.files);
  assert.equal(swapped.valid, false);
  assert.ok(swapped.problems.some((p) => p.includes('step 2') && p.includes('recorded on-chain')), swapped.problems.join('; '));

  // The contract keeps the order and the chain of hashes.
  await expectRevert(ledger.contribute(p1.id, participants[0]!, p1.finalHash, p1.finalHash), 'ZkCeremonyFinalized');
  const id2 = `0x${'77'.repeat(32)}` as const;
  await ledger.start(id2, `0x${'01'.repeat(32)}`, participants);
  await expectRevert(ledger.contribute(id2, participants[1]!, `0x${'01'.repeat(32)}`, `0x${'02'.repeat(32)}`), 'ZkCeremonyNotYourTurn');
  await expectRevert(ledger.contribute(id2, participants[0]!, `0x${'03'.repeat(32)}`, `0x${'02'.repeat(32)}`), 'ZkCeremonyBrokenChain');
  await expectRevert(ledger.finalize(id2, `0x${'04'.repeat(32)}`), 'ZkCeremonyIncomplete');
});
