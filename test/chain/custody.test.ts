/**
 * KeyRegistry and CustodyVault on a real anvil with keys made by the src/keys ceremonies:
 * a 3-of-4 custody key registers itself (signed by the key), a vault holding ether and an
 * ERC-20 pays out on three members' signature; replayed, forged, wrong-amount and wrong-key
 * signatures revert with the named errors and move nothing; after resharing to 2-of-3 the
 * registry records the next epoch (signed by the current key), the vault follows, the
 * member who left cannot sign, and a stale epoch is refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseEther, type Address, type Hex } from 'viem';
import { CustodyVaultAbi, KeyRegistryAbi } from '../../src/chain/artifacts.js';
import { toSoliditySignature } from '../../src/chain/frost-signature.js';
import { registryArgsOf } from '../../src/chain/key-registry.js';
import { createTacitClient, type TacitClient } from '../../src/sdk/client.js';
import { registerKey } from '../../src/sdk/actions/registerKey.js';
import { rotateKey } from '../../src/sdk/actions/rotateKey.js';
import { deployCustodyVault } from '../../src/sdk/actions/deployCustodyVault.js';
import { transferFromVault } from '../../src/sdk/actions/transferFromVault.js';
import type { GroupKeyInfo } from '../../src/keys/group-key.js';
import { memoryGroup } from '../keys/memory-group.js';
import { expectRevert, startLocalLedger } from './fixture.js';

let env: Awaited<ReturnType<typeof startLocalLedger>>;
let client: TacitClient;
const root = mkdtempSync(join(tmpdir(), 'tacit-custody-'));
const group = memoryGroup(root);
const members = ['bank', 'fund', 'exchange', 'auditor'];
let key: GroupKeyInfo;
let other: GroupKeyInfo;
let vault: Address;

before(async () => {
  env = await startLocalLedger();
  client = createTacitClient({ manifest: env.ledger.manifest, rpcUrl: env.ledger.rpcUrl, account: env.ledger.account(1) });
  key = await group.dkg(members, 3, 'custody');
  other = await group.dkg(['x1', 'x2'], 2, 'other');
});
after(async () => {
  await env?.stop();
  rmSync(root, { recursive: true, force: true });
});

const by = (info: GroupKeyInfo, signers: string[]) => (d: Hex) => group.sign(info.keyId, signers, d);
const registry = () => client.manifest.contracts.KeyRegistry!;

test('a key registers itself; duplicates and signatures by another key are refused', async () => {
  await expectRevert(registerKey(client, { key, sign: by(other, ['x1', 'x2']) }), 'KeyRegistryBadSignature');
  await registerKey(client, { key, sign: by(key, ['bank', 'fund', 'auditor']) });
  const st = (await client.ledger.pub.readContract({ address: registry(), abi: KeyRegistryAbi, functionName: 'keyOf', args: [`0x${key.keyId}`] })) as { key: { x: bigint }; epoch: bigint; threshold: number; members: readonly Hex[]; stateHash: Hex };
  const a = registryArgsOf(key);
  assert.equal(st.key.x, a.key.x);
  assert.equal(st.threshold, 3);
  assert.deepEqual(st.members, a.members);
  assert.equal(st.stateHash, a.stateHash);
  await expectRevert(registerKey(client, { key, sign: by(key, ['bank', 'fund', 'auditor']) }), 'KeyRegistryKeyExists');
});

test('the vault pays out on a group signature only, once per nonce', async () => {
  ({ vault } = await deployCustodyVault(client, { keyId: key.keyId }));
  const funder = env.ledger.account(2);
  await env.ledger.tx(funder, 'fund vault', (w) => w.sendTransaction({ to: vault, value: parseEther('5') }));
  const token = client.manifest.contracts.PaymentToken;
  await env.ledger.mint(vault, 1000n);
  const alice = env.ledger.account(3).address;
  const bal = () => client.ledger.pub.getBalance({ address: alice });

  const b0 = await bal();
  const t1 = await transferFromVault(client, { vault, to: alice, amount: parseEther('1'), sign: by(key, ['bank', 'exchange', 'auditor']) });
  assert.equal((await bal()) - b0, parseEther('1'));
  assert.equal(t1.nonce, 0n);
  await transferFromVault(client, { vault, token, to: alice, amount: 400n, sign: by(key, ['fund', 'exchange', 'auditor']) });
  assert.equal(await client.ledger.balanceOf(token, alice), 400n);

  const send = (nonce: bigint, amount: bigint, signature: string) =>
    client.ledger.tx(client.account!, 'transfer', (w) => w.writeContract({ address: vault, abi: CustodyVaultAbi, functionName: 'transfer', args: [nonce, '0x0000000000000000000000000000000000000000', alice, amount, toSoliditySignature(signature)] }));
  // Replay of the first transfer: its nonce is spent.
  await expectRevert(send(0n, parseEther('1'), t1.signature), 'CustodyVaultBadNonce');
  // A valid signature for nonce 2 and 1 ether, presented for 2 ether.
  const digest = (await client.ledger.pub.readContract({ address: vault, abi: CustodyVaultAbi, functionName: 'transferDigest', args: [2n, '0x0000000000000000000000000000000000000000', alice, parseEther('1')] })) as Hex;
  const good = await group.sign(key.keyId, ['bank', 'fund', 'exchange'], digest);
  await expectRevert(send(2n, parseEther('2'), good), 'CustodyVaultBadSignature');
  // Forged: z changed.
  const forged = good.slice(0, -2) + ((parseInt(good.slice(-2), 16) ^ 1).toString(16).padStart(2, '0'));
  await expectRevert(send(2n, parseEther('1'), forged), 'CustodyVaultBadSignature');
  // Right digest, wrong key.
  await expectRevert(send(2n, parseEther('1'), await group.sign(other.keyId, ['x1', 'x2'], digest)), 'CustodyVaultBadSignature');
  const before = await bal();
  await send(2n, parseEther('1'), good);
  assert.equal((await bal()) - before, parseEther('1'));
  assert.equal(await client.ledger.pub.getBalance({ address: vault }), parseEther('3'));
});

test('resharing 3-of-4 → 2-of-3 is recorded by the current key; the vault follows; the leaver cannot sign', async () => {
  const next = await group.reshare(key, ['bank', 'fund', 'exchange'], ['bank', 'exchange', 'auditor'], 2);
  assert.equal(next.groupKey, key.groupKey);
  await expectRevert(rotateKey(client, { keyId: key.keyId, next: { ...next, epoch: 0 }, signCurrent: by(next, ['bank', 'auditor']) }), 'KeyRegistryStaleEpoch');
  await expectRevert(rotateKey(client, { keyId: key.keyId, next, signCurrent: by(other, ['x1', 'x2']) }), 'KeyRegistryBadSignature');
  await rotateKey(client, { keyId: key.keyId, next, signCurrent: by(next, ['bank', 'auditor']) });
  const st = (await client.ledger.pub.readContract({ address: registry(), abi: KeyRegistryAbi, functionName: 'keyOf', args: [`0x${key.keyId}`] })) as { epoch: bigint; threshold: number };
  assert.equal(st.epoch, 1n);
  assert.equal(st.threshold, 2);
  const carol = env.ledger.account(4).address;
  const b0 = await client.ledger.pub.getBalance({ address: carol });
  await transferFromVault(client, { vault, to: carol, amount: parseEther('1'), sign: by(next, ['exchange', 'auditor']) });
  assert.equal((await client.ledger.pub.getBalance({ address: carol })) - b0, parseEther('1'));
  await assert.rejects(group.sign(key.keyId, ['fund', 'bank'], '00'.repeat(32)), /no share|not a member/);
});
