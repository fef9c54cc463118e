/**
 * The console's Proofs page data (`GET /chain/claims`) on a real anvil chain with the real
 * ZkClaims and ZkCeremony contracts: before the manifest file names ZkClaims the route says
 * so; once the file names it (as the sandbox's zk step writes it) the node lists each claim
 * recorded — claim id (checked against keccak256(abi.encode(circuitId, inputs)) computed
 * here), circuit, prover, the commitment each claim references (a DataRegistry dataset's, or
 * one registered by its committer), block, transaction and gas (checked against the
 * submitting transaction's receipt). A manifest of another deployment is not trusted, and
 * the route needs the API token.
 *
 * What is tested here is the reading of what ZkClaims records, not proofs: the circuit is
 * registered with a verifier that accepts every proof (test/chain/zk-claim-fixture.ts), after
 * a real ceremony recorded in ZkCeremony. Real Groth16 proofs through the same contract are in
 * test/zk/claims-chain.test.ts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { getAddress, type Hex } from 'viem';
import { devAccount } from '../../src/chain/dev-accounts.js';
import { writeManifest } from '../../src/chain/manifest.js';
import { claimIdOf, datasetCommitmentKey } from '../../src/chain/zk-ledger.js';
import { datasetActions } from '../../src/node/api/actions.js';
import { createChainViews, type ChainViews } from '../../src/node/api/chain-views.js';
import { startApi, type RunningApi } from '../../src/node/api/server.js';
import { createApiToken } from '../../src/node/api-token.js';
import { NodeStore } from '../../src/node/store/index.js';
import type { StandardScenario } from '../../src/chain/local-ledger.js';
import { setupStandardScenario, startLocalLedger } from '../chain/fixture.js';
import { deployAcceptAllClaims } from '../chain/zk-claim-fixture.js';
import { tempDir } from './helpers.js';

let started: Awaited<ReturnType<typeof startLocalLedger>>;
let scenario: StandardScenario;
let tmp: ReturnType<typeof tempDir>;
let manifestPath: string;
let views: ChainViews;
let store: NodeStore;
let api: RunningApi;
let token: string;

before(async () => {
  started = await startLocalLedger();
  scenario = await setupStandardScenario(started.ledger);
  tmp = tempDir();
  manifestPath = join(tmp.dir, 'manifest.json');
  writeManifest(manifestPath, started.ledger.manifest);
  views = createChainViews(started.ledger, started.ledger.account(1), { manifestPath });
  store = NodeStore.open(join(tmp.dir, 'node.db'));
  token = createApiToken(tmp.dir);
  api = await startApi({
    host: '127.0.0.1', port: 0, token, store, actions: datasetActions({ store }), chain: views,
    info: () => ({ name: 'n', address: `0x${'11'.repeat(20)}`, fingerprint: 'ab'.repeat(32), roles: ['data'], peer: { host: '127.0.0.1', port: 1, endpoint: '127.0.0.1:1' }, chainId: 1, contracts: {} }),
  });
});
after(async () => {
  await api?.close();
  store?.close();
  await started?.stop();
  tmp?.cleanup();
});

test('GET /chain/claims: none until the manifest names ZkClaims, then every recorded claim with its sources and gas', async () => {
  const before = await views.claims();
  assert.equal(before['available'], false);
  assert.match(String(before['reason']), /no ZkClaims/);

  const other = devAccount(6);
  const { zk, circuitId, ceremonyId, verifier, claim } = await deployAcceptAllClaims(started.chain.rpcUrl);

  // A claim about the scenario's dataset (its owner's commitment under the registry key) and one about a privately keyed commitment.
  const registry = started.ledger.manifest.contracts.DataRegistry;
  const dataKey = datasetCommitmentKey(registry, scenario.datasetId);
  const ownKey = `0x${'0e'.repeat(32)}` as Hex;
  const r1 = await claim(scenario.dataOwner, dataKey, 1234n, [1000n]);
  const r2 = await claim(other, ownKey, 5678n, [7n, 8n]);

  // Still the node's view of the manifest: not named yet. A manifest of another deployment is ignored.
  assert.equal((await views.claims())['available'], false);
  const m = started.ledger.manifest;
  writeManifest(manifestPath, { ...m, contracts: { ...m.contracts, TaskMarket: other.address, ZkClaims: zk.deployment.claims } });
  assert.equal((await views.claims())['available'], false, 'a manifest of another deployment is not trusted');
  writeManifest(manifestPath, { ...m, contracts: { ...m.contracts, ZkCeremony: zk.deployment.ceremony, ZkClaims: zk.deployment.claims } });

  assert.equal((await fetch(`${api.url}/chain/claims`)).status, 401);
  const res = await fetch(`${api.url}/chain/claims`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { available: boolean; address: string; claims: Record<string, any>[] };
  assert.equal(body.available, true);
  assert.equal(body.address, getAddress(zk.deployment.claims));
  assert.equal(body.claims.length, 2);
  const [c1, c2] = body.claims as [Record<string, any>, Record<string, any>];
  assert.equal(c1['claimId'], claimIdOf(circuitId, [1234n, 1000n]));
  assert.equal(c2['claimId'], claimIdOf(circuitId, [5678n, 7n, 8n]));
  assert.equal(c1['circuitId'], circuitId);
  assert.equal(c1['verifier'].toLowerCase(), verifier.toLowerCase());
  assert.equal(c1['ceremonyId'], ceremonyId);
  assert.equal(c1['prover'], scenario.dataOwner.address);
  assert.equal(c1['proverName'], 'bank-a', 'the prover named as the NodeRegistry knows it');
  assert.deepEqual(c1['sources'], [{ kind: 'dataset', datasetId: scenario.datasetId.toString(), committer: scenario.dataOwner.address, committerName: 'bank-a', key: dataKey }]);
  assert.deepEqual(c2['sources'], [{ kind: 'registered', committer: other.address, committerName: null, key: ownKey }]);
  assert.deepEqual(c2['statement'], ['7', '8']);
  for (const [c, r] of [[c1, r1], [c2, r2]] as const) {
    assert.equal(c['txHash'], r.transactionHash);
    assert.equal(c['block'], r.blockNumber.toString());
    assert.equal(c['gasUsed'], r.gasUsed.toString());
  }
});
