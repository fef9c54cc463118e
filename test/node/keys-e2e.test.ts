/**
 * Threshold keys end to end among real node processes: an anvil chain and four `tacit node
 * start` daemons. A requester creates a 3-of-4 key as an on-chain task the four nodes vet and
 * run (each keeps only its own encrypted share), registers it (a second task signs the
 * registration), funds a CustodyVault and moves ether out of it with a signature made by
 * three member nodes — the vault verifies it on-chain — and refreshes the shares (same key, the
 * registry at the next epoch). The CLI does the same by node name. Then a member is killed in the middle
 * of a key generation: the others name it and abort, nothing is stored, the task ends with
 * the requester refunded exactly, and no node but the dead one is slashed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { erc20Abi, parseEther, type Address, type Hex } from 'viem';
import { startLocalNetwork, type LocalNetwork } from '../../src/node/local/network.js';
import { createTacitClient, createKeyOnNodes, refreshKeyOnNodes, deployCustodyVault, getTaskOutcome, KeyTaskError, nodeSigner, transferFromVault, type TacitClient } from '../../src/sdk/index.js';
import { devAccount, devPrivateKey } from '../../src/chain/dev-accounts.js';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KeyRegistryAbi, TaskMarketAbi } from '../../src/chain/artifacts.js';
import { readTask } from '../../src/node/tasks/chain-view.js';
import { FROST, fromHex } from '../../src/keys/suite.js';
import type { GroupKeyInfo } from '../../src/keys/group-key.js';

const TOKEN = 10n ** 18n;
const PASSPHRASE = 'sandbox-passphrase';
let net: LocalNetwork;
let dir: string;
let requester: TacitClient;
let key: GroupKeyInfo;

const names = ['alpha', 'beta', 'gamma', 'delta'];
/** A node's share files (not `kek.json`, the directory's KDF parameters, nor a nonce journal `.used`). */
const keyFiles = (n: string) => {
  const d = join(net.node(n).dir, 'keys');
  return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.json') && f !== 'kek.json').sort() : [];
};
const receiverOf = (n: string) => ({ address: net.node(n).address, url: net.node(n).apiUrl });
const tokenBalance = (who: Address) => net.ledger.pub.readContract({ address: net.manifest.contracts.PaymentToken, abi: erc20Abi, functionName: 'balanceOf', args: [who] });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tacit-keys-e2e-'));
  net = await startLocalNetwork({
    dir: join(dir, 'net'),
    // A short round deadline: a silent member is named within seconds.
    nodes: names.map((name) => ({ name, roles: ['compute', 'receiver'] as ('compute' | 'receiver')[], policy: { guards: { roundTimeoutMs: 5000 } } })),
  });
  const account = devAccount(7);
  await net.ledger.mint(account.address, 100n * TOKEN);
  requester = createTacitClient({ manifest: net.manifest, rpcUrl: net.rpcUrl, account });
});

after(async () => {
  await net?.stop();
  if (dir && !process.env.TACIT_KEEP) rmSync(dir, { recursive: true, force: true });
});

describe('threshold keys as tasks among node processes', () => {
  it('3-of-4 DKG and registration through node tasks; three nodes sign a vault transfer the vault verifies; refresh rotates the registry', async () => {
    const members = names.map((n) => net.node(n).address);
    const created = await createKeyOnNodes(requester, { members, threshold: 3, receiver: receiverOf('alpha'), fee: 4n * TOKEN });
    key = created.key;
    assert.equal(key.threshold, 3);
    assert.deepEqual(key.members.map((m) => m.name), members.map((m) => m.toLowerCase()));
    // The registry holds the key, at its epoch, with the node addresses as members.
    const onChain = await net.ledger.pub.readContract({ address: net.manifest.contracts.KeyRegistry!, abi: KeyRegistryAbi, functionName: 'keyOf', args: [`0x${key.keyId}`] });
    assert.equal(onChain.key.x, BigInt(`0x${key.groupKey.slice(2)}`));
    assert.equal(Number(onChain.epoch), key.epoch);
    assert.deepEqual(onChain.members.map((m) => `0x${m.slice(26)}`), members.map((m) => m.toLowerCase()));
    assert.ok(created.registration && created.registration.taskId > created.taskId);

    // Every member holds exactly one share file, encrypted; the secret is in no file in the clear.
    for (const n of names) {
      assert.deepEqual(keyFiles(n), [`${key.keyId}.json`]);
      const file = JSON.parse(readFileSync(join(net.node(n).dir, 'keys', `${key.keyId}.json`), 'utf8')) as { version: number; share: { cipher?: string; ciphertext?: string }; key: GroupKeyInfo };
      // Format v2: the share sealed with AES-256-GCM under the directory's passphrase-derived KEK.
      assert.equal(file.version, 2);
      assert.equal(file.share.cipher, 'aes-256-gcm', 'the share is sealed');
      assert.match(file.share.ciphertext ?? '', /^[0-9a-f]{64}$/);
      assert.equal(file.key.groupKey, key.groupKey);
      const log = readFileSync(join(net.node(n).dir, 'logs', 'node.log'), 'utf8');
      assert.ok(!log.includes(PASSPHRASE), 'the passphrase is in no log');
    }

    // A vault that follows the registered key: funded with 2 ETH, 0.5 ETH moved on a signature by three nodes.
    const { vault } = await deployCustodyVault(requester, { keyId: key.keyId });
    await net.ledger.tx(requester.account!, 'fund vault', (w) => w.sendTransaction({ to: vault, value: parseEther('2') }));
    const to = devAccount(11).address;
    const before = await net.ledger.pub.getBalance({ address: to });
    const signers = ['beta', 'gamma', 'delta'].map((n) => net.node(n).address);
    const moved = await transferFromVault(requester, { vault, to, amount: parseEther('0.5'), sign: nodeSigner(requester, { key, signers, receiver: receiverOf('beta') }) });
    assert.equal(await net.ledger.pub.getBalance({ address: to }), before + parseEther('0.5'));
    assert.equal(await net.ledger.pub.getBalance({ address: vault }), parseEther('1.5'));
    // Independent check of the signature: noble's FROST verifier.
    assert.ok(FROST.verify(fromHex(moved.signature), fromHex(moved.digest.slice(2)), fromHex(key.groupKey)));
    // A signature for one payout does not move funds again (the vault's nonce moved on).
    await assert.rejects(
      transferFromVault(requester, { vault, to, amount: parseEther('0.5'), sign: async () => moved.signature }),
      /CustodyVault|revert|signature/i,
    );

    // Proactive refresh through the nodes: same group key, new epoch, registry rotated (signed
    // by the new shares, checked by the registry's FROST verifier), every share file replaced.
    const before1 = Object.fromEntries(names.map((n) => [n, JSON.parse(readFileSync(join(net.node(n).dir, 'keys', `${key.keyId}.json`), 'utf8')).share.ciphertext as string]));
    const refreshed = await refreshKeyOnNodes(requester, { key, receiver: receiverOf('gamma') });
    assert.equal(refreshed.key.groupKey, key.groupKey);
    assert.equal(refreshed.key.epoch, key.epoch + 1);
    assert.equal(refreshed.rotation?.epoch, key.epoch + 1);
    const rotated = await net.ledger.pub.readContract({ address: net.manifest.contracts.KeyRegistry!, abi: KeyRegistryAbi, functionName: 'keyOf', args: [`0x${key.keyId}`] });
    assert.equal(Number(rotated.epoch), key.epoch + 1);
    for (const n of names) {
      const f = JSON.parse(readFileSync(join(net.node(n).dir, 'keys', `${key.keyId}.json`), 'utf8')) as { key: GroupKeyInfo; share: { ciphertext: string } };
      assert.equal(f.key.epoch, key.epoch + 1);
      assert.notEqual(f.share.ciphertext, before1[n], `${n}'s share changed`);
    }
    key = refreshed.key;
  });

  it('the CLI among nodes: key create, sign, verify and list with --json, members by node name', () => {
    const tacit = fileURLToPath(new URL('../../../bin/tacit.mjs', import.meta.url));
    const state = join(dir, 'requester-keys');
    const env = { ...process.env, TACIT_PRIVATE_KEY: devPrivateKey(8) };
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, [tacit, 'key', ...args, '--dir', state, '--json'], { env, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as Record<string, any>;
    };
    const net1 = ['--manifest', net.manifestPath, '--node-api', net.node('gamma').apiUrl];
    const created = cli('create', ...net1, '--members', 'gamma,alpha,beta', '--threshold', '2', '--no-register');
    const k = created['key'] as GroupKeyInfo;
    assert.deepEqual(k.members.map((m) => m.name), ['gamma', 'alpha', 'beta'].map((n) => net.node(n).address.toLowerCase()));
    assert.equal(created['registration'], null);
    assert.ok(keyFiles('gamma').includes(`${k.keyId}.json`));
    const signed = cli('sign', ...net1, '--key', k.keyId.slice(0, 12), '--signers', 'gamma,beta', '--text', 'release 5 ETH');
    assert.ok(FROST.verify(fromHex(signed['signature']), new TextEncoder().encode('release 5 ETH'), fromHex(k.groupKey)));
    assert.equal(cli('verify', '--key', k.keyId.slice(0, 12), '--text', 'release 5 ETH', '--signature', signed['signature'])['valid'], true);
    const listed = cli('list', '--manifest', net.manifestPath)['keys'] as { keyId: string; registeredEpoch: number | null }[];
    assert.deepEqual(listed.map((x) => [x.keyId, x.registeredEpoch]), [[k.keyId, null]]);
    // The requester keeps only the public state.
    assert.ok(!readFileSync(join(state, '.network', `${k.keyId}.json`), 'utf8').includes('crypto'));
    for (const n of ['alpha', 'beta', 'gamma']) assert.ok(keyFiles(n).includes(`${k.keyId}.json`));
    assert.ok(!keyFiles('delta').includes(`${k.keyId}.json`));
  });

  it('a member killed mid-ceremony: the run aborts, nothing is stored, the requester is refunded, no honest member slashed', async () => {
    const victim = net.node('delta');
    const members = names.map((n) => net.node(n).address);
    const funds = await tokenBalance(requester.account!.address);
    const stored = new Map(names.map((n) => [n, keyFiles(n)]));
    const from = await net.ledger.pub.getBlockNumber({ cacheTime: 0 });
    const earlier = new Set(((await victim.api.listTasks()) as { id: number }[]).map((t) => t.id));
    // A large nonce batch widens the window between the key's deal rounds and its confirm round.
    const run = createKeyOnNodes(requester, { members, threshold: 3, receiver: receiverOf('alpha'), fee: 4n * TOKEN, deadlineSeconds: 30, nonceBatch: 300, register: false });
    const failure = run.then(() => undefined, (err: unknown) => err);
    // Kill delta as soon as its node has started the task's session (connecting, or in the first
    // rounds) — well before its confirm round, whose message would let the others finish without
    // it. (Waiting for the 'key-dkg' phase alone was too late now and then: the node's API answers
    // only when its event loop is free, sometimes after the confirm had gone out.)
    let killed = false;
    for (let i = 0; i < 600 && !killed; i++) {
      const tasks = (await victim.api.listTasks()) as { id: number; progressPhase?: string | null }[];
      const running = tasks.find((t) => !earlier.has(t.id) && (t.progressPhase === 'connecting' || t.progressPhase === 'key-dkg'));
      if (running) {
        await victim.kill(true);
        killed = true;
      } else await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(killed, 'delta started the ceremony');
    const err = await failure;
    assert.ok(err instanceof KeyTaskError, `the ceremony failed: ${String(err)}`);
    const outcome = await getTaskOutcome(requester, { taskId: err.taskId });
    assert.ok(['Expired', 'Failed'].includes(outcome.status), outcome.status);
    // Every live member reported the failure; any it blamed is the dead member.
    const live = ['alpha', 'beta', 'gamma'].map((n) => net.node(n).address.toLowerCase());
    assert.deepEqual(outcome.failureReports.map((r) => r.node.toLowerCase()).sort(), [...live].sort());
    for (const r of outcome.failureReports) if (r.blamed) assert.equal(r.blamed.toLowerCase(), victim.address.toLowerCase());
    assert.ok(outcome.failureReports.some((r) => r.blamed?.toLowerCase() === victim.address.toLowerCase()), 'the silent member is named');
    for (const s of outcome.slashed) assert.equal(s.node.toLowerCase(), victim.address.toLowerCase(), 'only the dead member is slashed');
    // Refunded exactly; the market holds nothing; nothing half-written at the live members.
    assert.equal(await tokenBalance(requester.account!.address), funds);
    assert.equal(await tokenBalance(net.manifest.contracts.TaskMarket), 0n);
    for (const n of ['alpha', 'beta', 'gamma']) assert.deepEqual(keyFiles(n), stored.get(n), `${n} stored nothing of the aborted key`);
    const t = await readTask(net.ledger, err.taskId);
    assert.ok(t.deadline > 0);
    const logs = await net.ledger.pub.getContractEvents({ address: net.manifest.contracts.TaskMarket, abi: TaskMarketAbi, eventName: 'TaskPartySlashed', fromBlock: from });
    for (const l of logs) assert.equal(l.args.node!.toLowerCase(), victim.address.toLowerCase());
  });
});
