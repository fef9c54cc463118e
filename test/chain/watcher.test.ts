/**
 * The node's chain watcher on a real anvil: it acts only on blocks with the configured
 * number of confirmations, and after a reorganisation (anvil `evm_snapshot` / `evm_revert`,
 * then a different block at the same height) it notices that a block it read has changed,
 * rewinds to the last block that still holds and delivers the new branch's events — the
 * abandoned task creation is superseded by the one that replaced it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestClient, http, parseEventLogs, type Log } from 'viem';
import { TaskMarketAbi } from '../../src/chain/artifacts.js';
import type { LocalLedger, StandardScenario } from '../../src/chain/local-ledger.js';
import { ChainWatcher } from '../../src/node/tasks/chain-watcher.js';
import { setupStandardScenario, startLocalLedger, TOKEN } from './fixture.js';

let env: Awaited<ReturnType<typeof startLocalLedger>>;
let ledger: LocalLedger;
let s: StandardScenario;

before(async () => {
  env = await startLocalLedger();
  ledger = env.ledger;
  s = await setupStandardScenario(ledger);
});
after(() => env?.stop());

function memoryKv() {
  const m = new Map<string, string>();
  return { getKv: (k: string) => m.get(k), setKv: (k: string, v: string) => void m.set(k, v) };
}

/** Task creations (id, fee) the watcher has delivered, in order. */
async function created(w: ChainWatcher, seen: { id: bigint; fee: bigint; tx: string }[]) {
  const r = await w.poll(async (logs: Log[]) => {
    for (const ev of parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskCreated', logs })) seen.push({ id: ev.args.taskId, fee: ev.args.spec.fee, tx: ev.transactionHash! });
  });
  return r.reorg;
}

test('events are acted on only after the configured confirmations', async () => {
  const test = createTestClient({ mode: 'anvil', transport: http(ledger.rpcUrl) });
  const w = new ChainWatcher(ledger.pub, ledger.manifest.contracts.TaskMarket, BigInt(ledger.manifest.block), 2, memoryKv());
  const seen: { id: bigint; fee: bigint; tx: string }[] = [];
  await created(w, seen);
  const before = seen.length;
  const { taskId } = await ledger.createTask(s.requester, await s.spec({ fee: 11n * TOKEN }));
  await created(w, seen);
  assert.equal(seen.length, before, 'not confirmed yet (0 blocks on top)');
  await test.mine({ blocks: 1 });
  await created(w, seen);
  assert.equal(seen.length, before, 'still not (1 block on top)');
  await test.mine({ blocks: 1 });
  await created(w, seen);
  assert.deepEqual(seen.slice(before).map((x) => x.id), [taskId], 'confirmed with 2 blocks on top');
});

test('a reorganisation is detected and the replacing branch delivered', async () => {
  const test = createTestClient({ mode: 'anvil', transport: http(ledger.rpcUrl) });
  const w = new ChainWatcher(ledger.pub, ledger.manifest.contracts.TaskMarket, BigInt(ledger.manifest.block), 0, memoryKv());
  const seen: { id: bigint; fee: bigint; tx: string }[] = [];
  await created(w, seen);
  const snap = await test.snapshot();
  const a = await ledger.createTask(s.requester, await s.spec({ fee: 21n * TOKEN }));
  assert.equal(await created(w, seen), false);
  assert.deepEqual(seen.at(-1), { id: a.taskId, fee: 21n * TOKEN, tx: a.receipt.transactionHash });

  // The branch with task A is abandoned; the same id now stands for task B.
  await test.revert({ id: snap });
  const b = await ledger.createTask(s.requester, await s.spec({ fee: 22n * TOKEN }));
  assert.equal(b.taskId, a.taskId);
  assert.notEqual(b.receipt.blockHash, a.receipt.blockHash);
  assert.equal(await created(w, seen), true, 'the watcher noticed the reorganisation');
  assert.equal(w.reorgs, 1);
  assert.deepEqual(seen.at(-1), { id: b.taskId, fee: 22n * TOKEN, tx: b.receipt.transactionHash }, 'the new branch is delivered');
  // And it carries on normally afterwards.
  const c = await ledger.createTask(s.requester, await s.spec({ fee: 23n * TOKEN }));
  assert.equal(await created(w, seen), false);
  assert.equal(seen.at(-1)!.id, c.taskId);
});
