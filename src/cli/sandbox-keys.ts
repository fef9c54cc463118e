/**
 * The sandbox's threshold-key step: the four institutions' nodes jointly hold a custody key
 * that none of them holds alone. Each ceremony is an on-chain task the member nodes vet and
 * run (src/sdk/actions/*OnNodes.ts), every share stays encrypted in its node's data directory:
 *
 *   1. a 3-of-4 key by distributed key generation, registered in the KeyRegistry (the key
 *      signs its own registration);
 *   2. a CustodyVault that follows the key, funded with ether; three members sign a payout
 *      and the vault checks the signature on-chain;
 *   3. the fintech leaves: the three others reshare the SAME group key among themselves as
 *      2-of-3, and the registry moves to the next epoch (signed by the group key); two
 *      signatures now move funds;
 *   4. the fintech's stale share, combined with two current shares (as many as the old
 *      threshold), no longer yields the group key: what it signs, the vault rejects.
 *
 * Step 4 plays the attacker on purpose: the sandbox runs every node, so it can open the
 * fintech's (and two members') share files with the sandbox passphrase. It prints no share.
 */
import { parseEther, type Address } from 'viem';
import { KeyRegistryAbi } from '../chain/artifacts.js';
import { devAccount } from '../chain/dev-accounts.js';
import type { LocalNetwork } from '../node/local/network.js';
import { revertName } from '../chain/revert.js';
import { lagrangeAtZero } from '../keys/feldman.js';
import type { GroupKeyInfo } from '../keys/group-key.js';
import { readShareFile } from '../keys/share-store.js';
import { openShareWithKek, type SealedShare } from '../keys/share-kek.js';
import { decryptKeystore, kdfFloor, type KeystoreV3 } from '../crypto/keystore.js';
import { FROST, Fn, Point, fromHex, identifierScalar, toHex } from '../keys/suite.js';
import { nodeKeyDir } from '../node/tasks/key-inputs.js';
import { createKeyOnNodes } from '../sdk/actions/createKeyOnNodes.js';
import { deployCustodyVault } from '../sdk/actions/deployCustodyVault.js';
import type { KeyTaskOptions } from '../sdk/actions/keyTask.js';
import { reshareKeyOnNodes } from '../sdk/actions/reshareKeyOnNodes.js';
import { signWithKeyOnNodes } from '../sdk/actions/signWithKeyOnNodes.js';
import { transferFromVault } from '../sdk/actions/transferFromVault.js';
import type { TacitClient } from '../sdk/client.js';

export interface KeysStepReport {
  keyId: string;
  groupKey: string;
  /** Threshold-of-members and epoch, before and after the resharing. */
  before: { threshold: number; members: string[]; epoch: number };
  after: { threshold: number; members: string[]; epoch: number; registryEpoch: number };
  sameGroupKey: boolean;
  vault: Address;
  /** Per step: its tasks and the gas of their transactions (tasks + registry/vault calls). */
  steps: { step: string; tasks: string[]; seconds: number; gas: number }[];
  /** Ether (in ETH) the vault and the beneficiary held, as read from the chain, and as expected. */
  balances: { vaultFunded: number; vaultEnd: number; beneficiaryGain: number; expectedVaultEnd: number; expectedGain: number };
  /** The stale-share attempt: the key it interpolates to, and the vault's answer. */
  staleShare: { member: string; yieldsGroupKey: boolean; vaultRejected: boolean; revert: string | null };
  ok: boolean;
}

const eth = (wei: bigint) => Number(wei) / 1e18;

export async function runKeysStep(net: LocalNetwork, client: TacitClient, say: (m: string) => void, passphrase = 'sandbox-passphrase'): Promise<KeysStepReport> {
  const [bank, bureau, telco, fintech] = ['bank', 'bureau', 'telco', 'fintech'].map((n) => net.node(n));
  const name = new Map(net.nodes.map((n) => [n.address.toLowerCase(), n.name]));
  const names = (k: GroupKeyInfo) => k.members.map((m) => name.get(m.name) ?? m.name);
  const o: KeyTaskOptions = { receiver: { address: bank!.address, url: bank!.apiUrl }, fee: 2n * 10n ** 18n };
  const steps: KeysStepReport['steps'] = [];
  const timed = async <T>(step: string, f: () => Promise<T>, tasks: (r: T) => bigint[], gas: (r: T) => bigint): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    steps.push({ step, tasks: tasks(r).map(String), seconds: Math.round((performance.now() - t0) / 100) / 10, gas: Number(gas(r)) });
    return r;
  };

  say('  keys 1/4: bank, bureau, telco and fintech generate a 3-of-4 custody key (DKG as a node task) and register it');
  const created = await timed('create 3-of-4 + register', () => createKeyOnNodes(client, { ...o, members: [bank!.address, bureau!.address, telco!.address, fintech!.address], threshold: 3 }), (r) => [r.taskId, r.registration!.taskId], (r) => r.gasUsed + r.registration!.gasUsed);
  const key0 = created.key;

  say('  keys 2/4: a CustodyVault that follows the key, funded with 5 ETH; bank, bureau and telco sign a 1.5 ETH payout');
  const { vault } = await deployCustodyVault(client, { keyId: key0.keyId });
  const funded = parseEther('5');
  await client.ledger.tx(client.account!, 'fund the vault', (w) => w.sendTransaction({ to: vault, value: funded }));
  const beneficiary = devAccount(12).address;
  const b0 = await client.ledger.pub.getBalance({ address: beneficiary });
  const signers3 = [bank!.address, bureau!.address, telco!.address];
  /** A vault payout signed by `signers` through a key-sign task; its task id and gas (task + vault call). */
  const payout = async (key: GroupKeyInfo, signers: Address[], amount: bigint) => {
    let task = 0n;
    let taskGas = 0n;
    const r = await transferFromVault(client, {
      vault,
      to: beneficiary,
      amount,
      sign: async (digest) => {
        // The signature comes back through one of the signers' nodes (a receiver must be a party).
        const at = net.nodes.find((n) => n.address.toLowerCase() === signers[0]!.toLowerCase())!;
        const s = await signWithKeyOnNodes(client, { ...o, receiver: { address: at.address, url: at.apiUrl }, key, signers, message: digest });
        task = s.taskId;
        taskGas = s.gasUsed;
        return s.signature;
      },
    });
    return { task, gas: taskGas + (await client.ledger.pub.getTransactionReceipt({ hash: r.txHash })).gasUsed };
  };
  await timed('3 signatures move 1.5 ETH', () => payout(key0, signers3, parseEther('1.5')), (r) => [r.task], (r) => r.gas);

  say('  keys 3/4: the fintech leaves; bank, bureau and telco reshare the same key as 2-of-3 (registry epoch +1)');
  const reshared = await timed('reshare to 2-of-3 + rotate', () => reshareKeyOnNodes(client, { ...o, key: key0, members: signers3, threshold: 2 }), (r) => [r.taskId, ...(r.rotation ? [r.rotation.taskId] : [])], (r) => r.gasUsed + (r.rotation?.gasUsed ?? 0n));
  const key1 = reshared.key;
  await timed('2 signatures move 1 ETH', () => payout(key1, [bureau!.address, telco!.address], parseEther('1')), (r) => [r.task], (r) => r.gas);

  say('  keys 4/4: the fintech’s stale share with two current shares (as many as the old threshold) tries to sign');
  // The sandbox's nodes are throw-away nodes (scrypt at the test escape's cost, see
  // node/local/network.ts): open their files with that floor, not by changing this process's.
  const open = async (dir: string) => {
    const file = readShareFile(nodeKeyDir(dir), key0.keyId);
    const floor = kdfFloor({ TACIT_SCRYPT_N: '1024' });
    const share =
      file.version === 2
        ? await openShareWithKek(file.share as SealedShare, { keyId: file.key.keyId, epoch: file.key.epoch, self: file.self }, passphrase, floor)
        : fromHex((await decryptKeystore(file.share as KeystoreV3, passphrase, { floor })).slice(2));
    return { file, share };
  };
  const stale = await open(fintech!.dir);
  const current = await Promise.all([bank!, bureau!].map((n) => open(n.dir)));
  const points = [stale, ...current].map((u) => {
    const me = u.file.key.members.find((m) => m.name === u.file.self)!;
    return { x: identifierScalar(me.identifier), y: Fn.fromBytes(u.share) };
  });
  const xs = points.map((p) => p.x);
  let forgedKey = 0n;
  for (const p of points) forgedKey = Fn.add(forgedKey, Fn.mul(p.y, lagrangeAtZero(xs, p.x)));
  for (const u of [stale, ...current]) u.share.fill(0);
  const yieldsGroupKey = forgedKey !== 0n && toHex(Point.BASE.multiply(forgedKey).toBytes(true)) === key0.groupKey;
  let revert: string | null = null;
  try {
    await transferFromVault(client, { vault, to: devAccount(13).address, amount: parseEther('2.5'), sign: async (digest) => toHex(FROST.sign(fromHex(digest.slice(2)), Fn.toBytes(forgedKey))) });
  } catch (err) {
    revert = revertName(err) ?? (err as Error).message.split('\n')[0]!;
  }
  forgedKey = 0n;

  const vaultEnd = await client.ledger.pub.getBalance({ address: vault });
  const gain = (await client.ledger.pub.getBalance({ address: beneficiary })) - b0;
  const registry = await client.ledger.pub.readContract({ address: client.manifest.contracts.KeyRegistry!, abi: KeyRegistryAbi, functionName: 'keyOf', args: [`0x${key0.keyId}`] });
  const report: KeysStepReport = {
    keyId: key0.keyId,
    groupKey: key0.groupKey,
    before: { threshold: key0.threshold, members: names(key0), epoch: key0.epoch },
    after: { threshold: key1.threshold, members: names(key1), epoch: key1.epoch, registryEpoch: Number(registry.epoch) },
    sameGroupKey: key1.groupKey === key0.groupKey,
    vault,
    steps,
    balances: { vaultFunded: eth(funded), vaultEnd: eth(vaultEnd), beneficiaryGain: eth(gain), expectedVaultEnd: 2.5, expectedGain: 2.5 },
    staleShare: { member: 'fintech', yieldsGroupKey, vaultRejected: revert !== null, revert },
    ok: false,
  };
  report.ok = report.sameGroupKey && report.after.registryEpoch === key1.epoch && vaultEnd === parseEther('2.5') && gain === parseEther('2.5') && !yieldsGroupKey && revert !== null;
  return report;
}

export function keysSummaryLines(r: KeysStepReport): string[] {
  const out = [
    `  custody key ${r.keyId.slice(0, 16)}…  ${r.ok ? 'OK      ' : 'MISMATCH'} group key ${r.groupKey}`,
    `      epoch ${r.before.epoch}: ${r.before.threshold}-of-${r.before.members.length} (${r.before.members.join(', ')})  →  epoch ${r.after.epoch}: ${r.after.threshold}-of-${r.after.members.length} (${r.after.members.join(', ')}), same group key: ${r.sameGroupKey ? 'yes' : 'NO'}; registry at epoch ${r.after.registryEpoch}`,
  ];
  for (const s of r.steps) out.push(`      ${s.step.padEnd(28)} ${s.tasks.length ? `tasks #${s.tasks.join(', #')}`.padEnd(16) : ''.padEnd(16)} ${s.seconds.toFixed(1).padStart(6)} s  ${String(s.gas).padStart(9)} gas`);
  out.push(`      vault ${r.vault}: funded ${r.balances.vaultFunded} ETH, holds ${r.balances.vaultEnd} ETH (expected ${r.balances.expectedVaultEnd}); beneficiary +${r.balances.beneficiaryGain} ETH (expected +${r.balances.expectedGain})`);
  out.push(`      ${r.staleShare.member}'s stale share + two current shares: ${r.staleShare.yieldsGroupKey ? 'YIELDS THE GROUP KEY' : 'not the group key'}; the vault ${r.staleShare.vaultRejected ? `rejected its signature (${r.staleShare.revert})` : 'ACCEPTED it'}`);
  return out;
}
