/**
 * Publishing against a real anvil with the Tacit contracts deployed: a node with its own
 * (freshly generated, keystore-held) account registers with the data role, imports a CSV
 * and lists it; the DataRegistry then holds exactly the store's schema hash, row count,
 * commitment, price and algorithm ids, and the owner holds the minted data tokens. Also:
 * a second publication is refused, an unregistered node is told why it may not list, and a
 * listing interrupted after broadcast is resumed rather than sent twice.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestClient, http, parseEther, type Account } from 'viem';
import { algorithmId } from '../../src/chain/algorithm-id.js';
import { publicClientFor, type TacitPublicClient } from '../../src/chain/clients.js';
import type { LocalLedger } from '../../src/chain/local-ledger.js';
import { Role } from '../../src/chain/roles.js';
import { publishDataset } from '../../src/node/datasets/publish.js';
import { DatasetAlreadyPublishedError, NodeNotEligibleError, NodeTransactionError } from '../../src/node/errors.js';
import { initNodeKeys, unlockNodeKeys, type NodeKeys } from '../../src/node/keys.js';
import { createNodeMetrics } from '../../src/node/metrics.js';
import { NodeStore } from '../../src/node/store/index.js';
import { startLocalLedger, TOKEN } from '../chain/fixture.js';
import { GOOD_CSV, LIGHT_SCRYPT, PASSPHRASE, tempDir, writeCsv } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let ledger: LocalLedger;
let stopChain: () => Promise<void>;
let rpcUrl: string;
let keys: NodeKeys;
let store: NodeStore;
const metrics = createNodeMetrics({ processMetrics: false });

/** Gives `account` gas money (anvil only). */
async function fund(account: Account) {
  await createTestClient({ mode: 'anvil', transport: http(rpcUrl) }).setBalance({ address: account.address, value: parseEther('10') });
}

before(async () => {
  tmp = tempDir();
  const started = await startLocalLedger();
  ledger = started.ledger;
  stopChain = started.stop;
  rpcUrl = started.chain.rpcUrl;
  const dir = join(tmp.dir, 'bank-a');
  await initNodeKeys(dir, PASSPHRASE, 'bank-a', { scrypt: LIGHT_SCRYPT });
  keys = await unlockNodeKeys(dir, PASSPHRASE);
  await fund(keys.account);
  await ledger.registerNode(keys.account, { roles: Role.Data | Role.Receiver, name: 'bank-a', endpoint: '127.0.0.1:7700', tlsFingerprint: `0x${keys.tls.fingerprint}` });
  store = NodeStore.open(join(dir, 'node.db'));
});
after(async () => {
  store?.close();
  await stopChain?.();
  tmp?.cleanup();
});

const ctx = () => ({ store, manifest: ledger.manifest, account: keys.account, rpcUrl, metrics });

describe('publishDataset', () => {
  it('lists the dataset with the stored schema hash, rows, commitment, price and algorithms, and mints tokens', async () => {
    const record = store.importCsv('loans', writeCsv(tmp.dir, 'loans.csv', GOOD_CSV), { idColumn: 'id' });
    const r = await publishDataset(ctx(), 'loans', { price: 10n * TOKEN, algorithms: ['lr-train', 'debt-query'], mint: 5, metadataUri: 'tacit://bank-a/loans' });
    assert.equal(r.datasetId, '1');
    assert.equal(r.resumed, false);
    assert.deepEqual(r.algorithmIds, [algorithmId('lr-train'), algorithmId('debt-query')]);
    assert.equal(r.minted, (5n * TOKEN).toString());

    const onChain = await ledger.contracts.dataRegistry.read.getDataset([1n]);
    assert.equal(onChain.owner, keys.address);
    assert.equal(onChain.token, r.token);
    assert.equal(onChain.status, 1, 'Active');
    assert.equal(onChain.rowCount, 5n);
    assert.equal(onChain.schemaHash, record.schemaHash);
    assert.equal(onChain.contentCommitment, record.commitment);
    assert.equal(onChain.price, 10n * TOKEN);
    assert.equal(onChain.metadataURI, 'tacit://bank-a/loans');
    for (const name of ['lr-train', 'debt-query']) assert.equal(await ledger.contracts.dataRegistry.read.isAlgorithmAllowed([1n, algorithmId(name)]), true, name);
    assert.equal(await ledger.contracts.dataRegistry.read.isAlgorithmAllowed([1n, algorithmId('lr-predict')]), false);

    const token = ledger.contracts.dataToken(r.token);
    assert.equal(await token.read.balanceOf([keys.address]), 5n * TOKEN);
    assert.equal(await token.read.name(), 'Tacit Data #1');
    assert.equal(await token.read.datasetId(), 1n);

    const stored = store.requireDataset('loans');
    assert.equal(stored.status, 'Active');
    assert.equal(stored.datasetId, '1');
    assert.equal(stored.token, r.token);
    assert.equal(stored.price, (10n * TOKEN).toString());
    assert.deepEqual(stored.algorithms, ['lr-train', 'debt-query']);
    assert.equal(stored.listTx, r.txHash);
    assert.ok(stored.publishedAt);

    const text = await metrics.registry.metrics();
    assert.match(text, /tacit_chain_transactions_total\{method="DataRegistry.list",outcome="success"\} 1/);
  });

  it('refuses to list the same dataset twice', async () => {
    await assert.rejects(publishDataset(ctx(), 'loans', { price: 1n, algorithms: ['lr-train'], mint: 0 }), DatasetAlreadyPublishedError);
  });

  it('checks its arguments before touching the chain', async () => {
    store.importCsv('args', writeCsv(tmp.dir, 'args.csv', GOOD_CSV), { idColumn: 'id' });
    await assert.rejects(publishDataset(ctx(), 'args', { price: 2n ** 96n, algorithms: ['lr-train'], mint: 0 }), /price must be in/);
    await assert.rejects(publishDataset(ctx(), 'args', { price: 1n, algorithms: [], mint: 0 }), /at least one algorithm/);
    await assert.rejects(publishDataset(ctx(), 'args', { price: 1n, algorithms: ['a', 'a'], mint: 0 }), /listed twice/);
    await assert.rejects(publishDataset(ctx(), 'args', { price: 1n, algorithms: ['a'], mint: -1 }), /mint must be/);
    assert.equal(store.requireDataset('args').status, 'local');
  });

  it('tells an unregistered node why it may not list', async () => {
    const dir = join(tmp.dir, 'stranger');
    await initNodeKeys(dir, PASSPHRASE, 'stranger', { scrypt: LIGHT_SCRYPT });
    const stranger = await unlockNodeKeys(dir, PASSPHRASE);
    const other = NodeStore.open(join(dir, 'node.db'));
    try {
      other.importCsv('x', writeCsv(tmp.dir, 'x.csv', GOOD_CSV), { idColumn: 'id' });
      await assert.rejects(
        publishDataset({ store: other, manifest: ledger.manifest, account: stranger.account, rpcUrl }, 'x', { price: 1n, algorithms: ['lr-train'], mint: 1 }),
        (err: unknown) => err instanceof NodeNotEligibleError && /not registered/.test(err.message) && /register/.test(err.hint ?? ''),
      );
      assert.equal(other.requireDataset('x').status, 'local');
    } finally {
      other.close();
    }
  });

  it('resumes a listing whose wait was interrupted instead of listing twice', async () => {
    store.importCsv('resume', writeCsv(tmp.dir, 'resume.csv', GOOD_CSV.replace('51', '52')), { idColumn: 'id' });
    const pub = publicClientFor({ rpcUrl, chainId: ledger.manifest.chainId });
    // A client that loses the receipt once: as if the node died right after broadcasting.
    const flaky = new Proxy(pub, {
      get(target, prop, receiver) {
        if (prop === 'waitForTransactionReceipt') return async () => { throw new Error('connection lost'); };
        return Reflect.get(target, prop, receiver);
      },
    }) as TacitPublicClient;
    const before = await ledger.contracts.dataRegistry.read.datasetCount();
    await assert.rejects(
      publishDataset({ ...ctx(), publicClient: flaky }, 'resume', { price: 7n, algorithms: ['lr-train'], mint: 1 }),
      (err: unknown) => err instanceof NodeTransactionError && /not mined yet/.test(err.message),
    );
    const pending = store.requireDataset('resume');
    assert.equal(pending.status, 'publishing');
    assert.match(pending.listTx ?? '', /^0x[0-9a-f]{64}$/);

    const r = await publishDataset(ctx(), 'resume', { price: 7n, algorithms: ['lr-train'], mint: 1 });
    assert.equal(r.resumed, true);
    assert.equal(r.txHash, pending.listTx);
    assert.equal(await ledger.contracts.dataRegistry.read.datasetCount(), before + 1n, 'listed once');
    assert.equal(store.requireDataset('resume').status, 'Active');
    assert.equal(r.minted, TOKEN.toString());
  });
});
