/**
 * Makes the NodeRegistry say what this node's config says: registers it (locking the stake)
 * the first time, and updates name, endpoint, TLS fingerprint or roles when they changed —
 * so restarting a node after editing node.json, or after rotating its TLS key, is enough.
 */
import { erc20Abi, type Account, type Hex } from 'viem';
import { NodeRegistryAbi } from '../chain/artifacts.js';
import type { LocalLedger } from '../chain/local-ledger.js';
import { peerEndpoint, roleMask, type NodeConfig } from './config.js';
import { NodeError } from './errors.js';

export class RegistrationError extends NodeError {
  override name = 'RegistrationError';
}

export async function ensureRegistered(ledger: LocalLedger, account: Account, config: NodeConfig, fingerprint: string): Promise<'registered' | 'updated' | 'unchanged'> {
  const registry = ledger.manifest.contracts.NodeRegistry;
  const info = await ledger.pub.readContract({ address: registry, abi: NodeRegistryAbi, functionName: 'getNode', args: [account.address] });
  const endpoint = peerEndpoint(config);
  const fp = `0x${fingerprint.replace(/^0x/, '').toLowerCase()}` as Hex;
  const roles = roleMask(config.roles);
  if (!info.registered) {
    const stake = BigInt(config.stake);
    const balance = await ledger.pub.readContract({ address: ledger.manifest.contracts.PaymentToken, abi: erc20Abi, functionName: 'balanceOf', args: [account.address] });
    if (balance < stake) {
      throw new RegistrationError(`the node's account ${account.address} holds ${balance} of the payment token, its stake is ${stake}`, {
        hint: 'Fund the account with the payment token (and gas), or lower `stake` in node.json (not below the deployment minimum).',
      });
    }
    await ledger.approve(account, ledger.manifest.contracts.PaymentToken, registry, stake);
    await ledger.tx(account, 'register', (w) => w.writeContract({ address: registry, abi: NodeRegistryAbi, functionName: 'register', args: [config.name, endpoint, fp, roles, stake] }));
    return 'registered';
  }
  if (info.name !== config.name || info.endpoint !== endpoint || info.tlsFingerprint.toLowerCase() !== fp || info.roles !== roles) {
    await ledger.tx(account, 'updateNode', (w) => w.writeContract({ address: registry, abi: NodeRegistryAbi, functionName: 'updateNode', args: [config.name, endpoint, fp, roles] }));
    return 'updated';
  }
  return 'unchanged';
}
