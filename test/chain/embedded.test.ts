/**
 * The embedded chain: state survives a restart (contracts, storage, balances, block height),
 * a taken port and a missing binary fail with typed errors, and manifests are validated.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AnvilNotFoundError, PortInUseError, ManifestError } from '../../src/chain/errors.js';
import { resolveAnvilBinary } from '../../src/chain/anvil.js';
import { startEmbeddedChain } from '../../src/chain/embedded.js';
import { LocalLedger } from '../../src/chain/local-ledger.js';
import { loadManifest, validateManifest, writeManifest } from '../../src/chain/manifest.js';
import { freePort } from '../../src/chain/ports.js';
import { RESULT_A, setupStandardScenario, TOKEN, commitAll, openings, revealAll } from './fixture.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tacit-chain-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('restarting the embedded chain keeps every contract, storage slot and balance', async () => {
  const dataDir = tempDir();
  let chain = await startEmbeddedChain({ dataDir });
  let ledger: LocalLedger;
  const ops = openings(3);
  let before: { block: bigint; market: bigint; owner: bigint; taskCount: bigint; dataset: string };
  try {
    ledger = await LocalLedger.deploy(chain.rpcUrl);
    const s = await setupStandardScenario(ledger);
    const { taskId } = await ledger.createTask(s.requester, await s.spec());
    for (const node of [s.dataOwner, ...s.compute]) await ledger.accept(node, taskId);
    await commitAll(ledger, taskId, [s.compute[0]], ops); // leave the task running, mid-way
    writeManifest(join(dataDir, 'manifest.json'), ledger.manifest);
    before = {
      block: await ledger.pub.getBlockNumber({ cacheTime: 0 }), // viem caches the height for 4 s
      market: await ledger.paymentBalance(ledger.manifest.contracts.TaskMarket),
      owner: await ledger.paymentBalance(s.dataOwner.address),
      taskCount: await ledger.contracts.taskMarket.read.taskCount(),
      dataset: (await ledger.contracts.dataRegistry.read.getDataset([s.datasetId])).metadataURI,
    };
  } finally {
    await chain.stop();
  }
  assert.ok(existsSync(chain.stateFile), 'state written on stop');

  chain = await startEmbeddedChain({ dataDir });
  try {
    const manifest = loadManifest(join(dataDir, 'manifest.json'));
    const again = new LocalLedger(chain.rpcUrl, manifest);
    // anvil may seal one more (empty) block when it loads a state file; none are lost.
    const block = await again.pub.getBlockNumber({ cacheTime: 0 });
    assert.ok(block >= before.block && block <= before.block + 1n, `block ${block} after restart, ${before.block} before`);
    for (const address of Object.values(manifest.contracts)) {
      const code = await again.pub.getCode({ address });
      assert.ok(code && code.length > 2, `code at ${address} survives`);
    }
    assert.equal(await again.paymentBalance(manifest.contracts.TaskMarket), before.market);
    assert.equal(before.market, 100n * TOKEN);
    assert.equal(await again.paymentBalance(again.account(2).address), before.owner);
    assert.equal(await again.contracts.taskMarket.read.taskCount(), before.taskCount);
    assert.equal((await again.contracts.dataRegistry.read.getDataset([1n])).metadataURI, before.dataset);
    // And the half-finished task carries on after the restart.
    const taskId = before.taskCount;
    await commitAll(again, taskId, [again.account(4), again.account(5)], ops.slice(1));
    await revealAll(again, taskId, [again.account(3), again.account(4), again.account(5)], ops);
    assert.equal(await again.paymentBalance(manifest.contracts.TaskMarket), 0n);
  } finally {
    await chain.stop();
  }
});

test('a taken port fails with PortInUseError', async () => {
  const port = await freePort();
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
  try {
    await assert.rejects(startEmbeddedChain({ dataDir: tempDir(), port }), (err: unknown) => {
      assert.ok(err instanceof PortInUseError);
      assert.equal(err.port, port);
      return true;
    });
  } finally {
    srv.close();
  }
});

test('a missing anvil binary fails with AnvilNotFoundError', async () => {
  assert.throws(() => resolveAnvilBinary({ TACIT_ANVIL_BIN: '/nonexistent/anvil' }), AnvilNotFoundError);
  await assert.rejects(startEmbeddedChain({ dataDir: tempDir(), anvilBinary: '/nonexistent/anvil' }), AnvilNotFoundError);
});

test('manifests are validated on load, naming the bad field', () => {
  const good = {
    version: 1,
    chainId: 31337,
    deployer: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
    block: 1,
    contracts: {
      NodeRegistry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
      DataRegistry: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
      TaskMarket: '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9',
      DataTokenSale: '0x0165878A594ca255338adfa4d48449f69242Eb8F',
      PaymentToken: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    },
    testPaymentToken: true,
    parameters: { minStake: '100', exitDelay: 10, slashAmount: '5', maxTaskDuration: 5 },
    deployedAt: new Date(0).toISOString(),
  };
  const m = validateManifest(good);
  assert.equal(m.deployer, '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', 'addresses are checksummed');
  const broken: [unknown, RegExp][] = [
    [{ ...good, version: 2 }, /version/],
    [{ ...good, chainId: -1 }, /chainId/],
    [{ ...good, contracts: { ...good.contracts, TaskMarket: '0x1234' } }, /contracts\.TaskMarket/],
    [{ ...good, contracts: { ...good.contracts, NodeRegistry: undefined } }, /contracts\.NodeRegistry/],
    [{ ...good, parameters: { ...good.parameters, minStake: 100 } }, /parameters\.minStake/],
    [{ ...good, rpcUrl: 'ftp://x' }, /rpcUrl/],
    [[], /document/],
  ];
  for (const [value, re] of broken) assert.throws(() => validateManifest(value), (e: unknown) => e instanceof ManifestError && re.test(e.message));
  const dir = tempDir();
  assert.throws(() => loadManifest(join(dir, 'missing.json')), ManifestError);
  writeFileSync(join(dir, 'bad.json'), '{ not json');
  assert.throws(() => loadManifest(join(dir, 'bad.json')), /not valid JSON/);
  writeManifest(join(dir, 'sub', 'm.json'), m);
  assert.deepEqual(loadManifest(join(dir, 'sub', 'm.json')), m);
});
