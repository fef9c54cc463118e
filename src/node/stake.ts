/**
 * The node's stake as the chain sees it. node.json's `stake` is only what the node locks when
 * it first registers; after a slash or a top-up the NodeRegistry holds the truth, and whether
 * the node can be named in tasks (eligible) depends on it. `tacit node info` and `node start`
 * read it here, `tacit node stake --add` tops it up.
 */
import { erc20Abi, type Account, type Address } from 'viem';
import { NodeRegistryAbi } from '../chain/artifacts.js';
import type { LocalLedger } from '../chain/local-ledger.js';
import { NodeError } from './errors.js';

export interface OnChainStake {
  registered: boolean;
  /** Locked stake, payment-token base units. */
  stake: bigint;
  minStake: bigint;
  /** Whether the registry lets tasks name this node (registered, stake ≥ minimum, not exiting). */
  eligible: boolean;
  exiting: boolean;
  /** Why the node is not eligible, in words a operator can act on. */
  reason?: string;
}

export class StakeError extends NodeError {
  override name = 'StakeError';
}

export async function readOnChainStake(ledger: LocalLedger, address: Address, roles: number): Promise<OnChainStake> {
  const registry = ledger.manifest.contracts.NodeRegistry;
  const [info, minStake, eligible] = await Promise.all([
    ledger.pub.readContract({ address: registry, abi: NodeRegistryAbi, functionName: 'getNode', args: [address] }),
    ledger.pub.readContract({ address: registry, abi: NodeRegistryAbi, functionName: 'minStake' }),
    ledger.pub.readContract({ address: registry, abi: NodeRegistryAbi, functionName: 'isEligible', args: [address, roles] }),
  ]);
  const exiting = info.exitRequestedAt > 0;
  const out: OnChainStake = { registered: info.registered, stake: info.stake, minStake, eligible, exiting };
  if (!eligible) {
    out.reason = !info.registered
      ? 'not registered yet: `tacit node start` registers it (locking node.json `stake`)'
      : exiting
        ? 'it has requested exit from the registry'
        : info.stake < minStake
          ? `its stake ${info.stake} is below the deployment minimum ${minStake}: top it up with \`tacit node stake --dir DIR --add UNITS\``
          : 'the registry does not list it for these roles: check `roles` in node.json and restart the node';
  }
  return out;
}

/** Adds `amount` of the payment token to the node's locked stake (approve + addStake). */
export async function addStake(ledger: LocalLedger, account: Account, amount: bigint): Promise<bigint> {
  if (amount <= 0n) throw new StakeError('the amount to add must be positive');
  const registry = ledger.manifest.contracts.NodeRegistry;
  const token = ledger.manifest.contracts.PaymentToken;
  const balance = await ledger.pub.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [account.address] });
  if (balance < amount) {
    throw new StakeError(`the node's account ${account.address} holds ${balance} of the payment token; ${amount} were asked for`, {
      hint: 'fund the account with the payment token first (on a development chain: `tacit chain fund ADDRESS --tokens N`)',
    });
  }
  const info = await ledger.pub.readContract({ address: registry, abi: NodeRegistryAbi, functionName: 'getNode', args: [account.address] });
  if (!info.registered) throw new StakeError('the node is not registered yet', { hint: 'start it once with `tacit node start` (it registers with node.json `stake`)' });
  await ledger.approve(account, token, registry, amount);
  await ledger.tx(account, 'addStake', (w) => w.writeContract({ address: registry, abi: NodeRegistryAbi, functionName: 'addStake', args: [amount] }));
  const after = await ledger.pub.readContract({ address: registry, abi: NodeRegistryAbi, functionName: 'getNode', args: [account.address] });
  return after.stake;
}
