/**
 * `tacit node` and `tacit data` as an operator runs them: `node init` creates a node
 * directory (passphrase from TACIT_PASSPHRASE), the data commands fail clearly while the
 * node is down, then talk to a running API — started here in-process from that directory,
 * as the daemon would — to import (a bad file prints every bad line), list and publish (on
 * anvil), and `node info` reports it all. `--json` prints exactly one JSON object.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createTestClient, http, parseEther } from 'viem';
import { freePort } from '../../src/chain/ports.js';
import type { LocalLedger } from '../../src/chain/local-ledger.js';
import { writeManifest } from '../../src/chain/manifest.js';
import { Role } from '../../src/chain/roles.js';
import { datasetActions } from '../../src/node/api/actions.js';
import { startApi, type RunningApi } from '../../src/node/api/server.js';
import { readApiToken } from '../../src/node/api-token.js';
import { loadNodeConfig } from '../../src/node/config.js';
import { describeNode } from '../../src/node/info.js';
import { unlockNodeKeys } from '../../src/node/keys.js';
import { nodePaths } from '../../src/node/paths.js';
import { NodeStore } from '../../src/node/store/index.js';
import { startLocalLedger } from '../chain/fixture.js';
import { BAD_CSV, GOOD_CSV, PASSPHRASE, tempDir, writeCsv } from './helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const POSIX = process.platform !== 'win32';

let tmp: ReturnType<typeof tempDir>;
let ledger: LocalLedger;
let stopChain: () => Promise<void>;
let rpcUrl: string;
let manifestPath: string;
let nodeDir: string;
let api: RunningApi | undefined;
let store: NodeStore | undefined;
let keys: Awaited<ReturnType<typeof unlockNodeKeys>>;

function tacit(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const base: Record<string, string | undefined> = { ...process.env };
  delete base.TACIT_PASSPHRASE;
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...base, ...env } as NodeJS.ProcessEnv }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

/** Parses stdout that must be exactly one line of JSON. */
function oneJson(stdout: string): any {
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, `exactly one line on stdout, got:\n${stdout}`);
  return JSON.parse(lines[0]!);
}

before(async () => {
  tmp = tempDir('tacit-node-cli-');
  const started = await startLocalLedger();
  ledger = started.ledger;
  stopChain = started.stop;
  rpcUrl = started.chain.rpcUrl;
  manifestPath = join(tmp.dir, 'manifest.json');
  writeManifest(manifestPath, ledger.manifest);
  nodeDir = join(tmp.dir, 'bank-a');
});
after(async () => {
  await api?.close();
  store?.close();
  await stopChain?.();
  tmp?.cleanup();
});

describe('tacit node init / data / node info', () => {
  let apiPort: number;
  let init: any;

  it('node init creates keys, token, config and database and prints address and fingerprint', async () => {
    apiPort = await freePort();
    const peerPort = await freePort();
    const r = await tacit(
      ['node', 'init', '--dir', nodeDir, '--name', 'bank-a', '--api-port', String(apiPort), '--peer-port', String(peerPort), '--manifest', manifestPath, '--roles', 'data,receiver', '--json'],
      { TACIT_PASSPHRASE: PASSPHRASE },
    );
    assert.equal(r.code, 0, r.stderr);
    init = oneJson(r.stdout);
    assert.match(init.address, /^0x[0-9a-fA-F]{40}$/);
    assert.match(init.fingerprint, /^[0-9a-f]{64}$/);
    assert.deepEqual(init.roles, ['data', 'receiver']);
    assert.equal(init.peer.endpoint, `127.0.0.1:${peerPort}`);
    assert.equal(init.api.url, `http://127.0.0.1:${apiPort}`);
    assert.equal(init.stake, ledger.manifest.parameters.minStake, 'stake defaults to the deployment minimum');
    const paths = nodePaths(nodeDir);
    for (const f of [paths.config, paths.keystore, paths.apiToken, paths.database]) assert.ok(existsSync(f), f);
    if (POSIX) {
      for (const f of [paths.keystore, paths.apiToken, paths.database]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
      assert.equal(statSync(nodeDir).mode & 0o777, 0o700);
    }
    const config = loadNodeConfig(nodeDir);
    assert.equal(config.api.port, apiPort);
    assert.equal(config.chain.manifest, manifestPath);
    assert.doesNotMatch(r.stdout + r.stderr + readFileSync(paths.config, 'utf8'), /PRIVATE KEY|correct horse/);
  });

  it('node init refuses an existing node, and a missing passphrase without a terminal', async () => {
    const again = await tacit(['node', 'init', '--dir', nodeDir, '--name', 'bank-a'], { TACIT_PASSPHRASE: PASSPHRASE });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already holds a node/);
    const noPass = await tacit(['node', 'init', '--dir', join(tmp.dir, 'other'), '--name', 'other']);
    assert.equal(noPass.code, 1);
    assert.match(noPass.stderr, /TACIT_PASSPHRASE/);
    assert.equal(existsSync(join(tmp.dir, 'other', 'keystore.json')), false);
    const badRole = await tacit(['node', 'init', '--dir', join(tmp.dir, 'other'), '--name', 'other', '--roles', 'data,miner'], { TACIT_PASSPHRASE: PASSPHRASE });
    assert.equal(badRole.code, 2);
    assert.match(badRole.stderr, /unknown role "miner"/);
  });

  it('data commands say the node is not running when nothing listens', async () => {
    const r = await tacit(['data', 'list', '--dir', nodeDir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the node is not running/);
    assert.match(r.stderr, /tacit node start/);
  });

  it('with the API running: data import --json, a bad file lists every bad line, data list', async () => {
    // What the daemon does at start, minus the chain watcher and runner.
    const config = loadNodeConfig(nodeDir);
    keys = await unlockNodeKeys(nodeDir, PASSPHRASE);
    const s = NodeStore.open(nodePaths(nodeDir, config.dataDir).database);
    store = s;
    api = await startApi({
      host: config.api.host,
      port: config.api.port,
      token: readApiToken(nodeDir),
      store: s,
      info: () => describeNode(config, { address: keys.address, fingerprint: keys.tls.fingerprint }, ledger.manifest),
      actions: datasetActions({ store: s, publish: { manifest: ledger.manifest, account: keys.account, rpcUrl } }),
    });
    assert.equal(api.port, apiPort);

    const csv = writeCsv(tmp.dir, 'loans.csv', GOOD_CSV);
    // GOOD_CSV is a loan book: c-001 on lines 2 and 6. Refused by default, with both lines.
    const once = await tacit(['data', 'import', csv, '--dir', nodeDir, '--name', 'loans', '--id', 'id']);
    assert.equal(once.code, 1);
    assert.match(once.stderr, /line 6 \(id\): duplicate id: the same id as line 2 \(ids are compared after trimming surrounding spaces\)/);
    assert.equal(s.getDataset('loans'), undefined);
    const r = await tacit(['data', 'import', csv, '--dir', nodeDir, '--name', 'loans', '--id', 'id', '--allow-duplicate-ids', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const d = oneJson(r.stdout);
    assert.equal(d.name, 'loans');
    assert.equal(d.rows, 5);
    assert.deepEqual(d.columns, ['income', 'debt', 'age']);
    assert.equal(d.commitment, s.requireDataset('loans').commitment);

    const bad = await tacit(['data', 'import', writeCsv(tmp.dir, 'bad.csv', BAD_CSV), '--dir', nodeDir, '--name', 'bad', '--id', 'id', '--json']);
    assert.equal(bad.code, 1);
    assert.match(JSON.parse(bad.stdout).error.message, /3 bad rows/, '--json prints one error object on failure');
    assert.match(bad.stderr, /3 bad rows; nothing was read/);
    for (const line of [3, 5, 6]) assert.match(bad.stderr, new RegExp(`line ${line}\\b`));
    assert.equal(s.getDataset('bad'), undefined);

    const dup = await tacit(['data', 'import', csv, '--dir', nodeDir, '--name', 'loans', '--id', 'id']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already exists/);

    const list = await tacit(['data', 'list', '--dir', nodeDir, '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(oneJson(list.stdout).datasets.map((x: { name: string }) => x.name), ['loans']);
    const text = await tacit(['data', 'list', '--dir', nodeDir]);
    assert.match(text.stdout, /^NAME\s+ROWS\s+COLUMNS\s+STATUS/);
    assert.match(text.stdout, /loans\s+5\s+3\s+local/);
  });

  it('data publish --json lists the dataset on-chain through the running node', async () => {
    // the node registers on-chain first (the daemon's job later): gas, stake, register
    const unlocked = keys;
    await createTestClient({ mode: 'anvil', transport: http(rpcUrl) }).setBalance({ address: unlocked.address, value: parseEther('10') });
    await ledger.registerNode(unlocked.account, { roles: Role.Data | Role.Receiver, name: 'bank-a', tlsFingerprint: `0x${init.fingerprint}` });

    const r = await tacit(['data', 'publish', 'loans', '--dir', nodeDir, '--price', '1000', '--algorithms', 'lr-train,debt-query', '--mint', '2', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const p = oneJson(r.stdout);
    assert.equal(p.datasetId, '1');
    assert.equal(p.minted, '2000000000000000000');
    assert.equal(p.dataset.status, 'Active');
    const onChain = await ledger.contracts.dataRegistry.read.getDataset([1n]);
    assert.equal(onChain.owner, unlocked.address);
    assert.equal(onChain.price, 1000n);
    assert.equal(onChain.contentCommitment, p.dataset.commitment);

    const missingFlag = await tacit(['data', 'publish', 'loans', '--dir', nodeDir, '--price', '10']);
    assert.equal(missingFlag.code, 2);
    assert.match(missingFlag.stderr, /--algorithms/);
  });

  it('node info --json reports identity, chain, API and database', async () => {
    const r = await tacit(['node', 'info', '--dir', nodeDir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const info = oneJson(r.stdout);
    assert.equal(info.address, init.address);
    assert.equal(info.fingerprint, init.fingerprint);
    assert.equal(info.api.running, true);
    assert.equal(info.chain.chainId, ledger.manifest.chainId);
    assert.equal(info.chain.contracts.DataRegistry, ledger.manifest.contracts.DataRegistry);
    assert.equal(info.store.datasets, 1);
    assert.equal(info.store.schemaVersion, 1);
    const text = await tacit(['node', 'info', '--dir', nodeDir]);
    assert.match(text.stdout, /running, version 0\.1\.0/);
  });
});
