/**
 * A decoded revert in words a user can act on: the error's arguments with their meaning
 * (the fee and the prices it must cover, the account, the token and its shortfall, the node
 * and why the registry does not list it) and what to do next. Some explanations read the
 * chain once more (which token fell short, a node's registry record); a read that fails
 * leaves the plain explanation. Messages carry addresses and amounts only — never data.
 */
import { erc20Abi, type Address } from 'viem';
import { NodeRegistryAbi } from './artifacts.js';
import type { TacitPublicClient } from './clients.js';
import type { TacitManifest } from './manifest.js';
import type { DecodedRevert } from './revert.js';

export interface RevertExplanation {
  details: string;
  hint?: string;
}

const ROLE_NAMES = ['data', 'compute', 'receiver'];
function roleList(mask: number): string {
  return ROLE_NAMES.filter((_, i) => mask & (1 << i)).join(', ') || 'none';
}

export async function explainRevert(d: DecodedRevert, ctx: { pub: TacitPublicClient; manifest: TacitManifest }): Promise<RevertExplanation | undefined> {
  const a = d.args;
  switch (d.name) {
    case 'TaskMarketFeeBelowPrices': {
      const [fee, prices] = a as [bigint, bigint];
      return { details: `the fee ${fee} is below the sum of the datasets' prices, ${prices} (short by ${prices - fee})`, hint: `offer a fee of at least ${prices} (--fee ${prices})` };
    }
    case 'ERC20InsufficientBalance': {
      const [account, balance, needed] = a as [Address, bigint, bigint];
      let token = 'a token';
      try {
        const pay = await ctx.pub.readContract({ address: ctx.manifest.contracts.PaymentToken, abi: erc20Abi, functionName: 'balanceOf', args: [account] });
        token = pay === balance ? `the payment token ${ctx.manifest.contracts.PaymentToken}` : 'a data token (one is escrowed per dataset of a task)';
      } catch {
        // keep the generic name
      }
      return {
        details: `${account} holds ${balance} of ${token} and needs ${needed} (short by ${needed - balance})`,
        hint: token.startsWith('a data token') ? 'buy uses of each dataset first (`tacit market buy DATASET_ID --uses N`)' : 'fund the account with the payment token (on a development chain: `tacit chain fund ADDRESS --tokens N`)',
      };
    }
    case 'ERC20InsufficientAllowance': {
      const [spender, allowance, needed] = a as [Address, bigint, bigint];
      return { details: `the allowance to ${spender} is ${allowance}, ${needed} is needed`, hint: 'approve the exact amount first (the SDK and CLI do this for you)' };
    }
    case 'TaskMarketNodeNotEligible': {
      const [node, roles] = a as [Address, number];
      let why = `it is not eligible as ${roleList(roles)}`;
      try {
        const [info, minStake] = await Promise.all([
          ctx.pub.readContract({ address: ctx.manifest.contracts.NodeRegistry, abi: NodeRegistryAbi, functionName: 'getNode', args: [node] }),
          ctx.pub.readContract({ address: ctx.manifest.contracts.NodeRegistry, abi: NodeRegistryAbi, functionName: 'minStake' }),
        ]);
        if (!info.registered) why = 'it is not registered in the NodeRegistry';
        else if (info.exitRequestedAt > 0) why = 'it has requested exit from the registry';
        else if (info.stake < minStake) why = `its stake ${info.stake} is below the minimum ${minStake} (slashed, or never topped up)`;
        else if ((info.roles & roles) !== roles) why = `it is registered as ${roleList(info.roles)}, the task needs ${roleList(roles)}`;
      } catch {
        // keep the generic reason
      }
      return { details: `node ${node}: ${why}`, hint: 'name other nodes (`tacit market nodes`), or ask the operator to fix it (`tacit node info` shows eligibility)' };
    }
    case 'TaskMarketAlgorithmNotAllowed': {
      const [datasetId] = a as [bigint];
      return { details: `dataset ${datasetId} is not listed for this program`, hint: 'choose a dataset listed for it (`tacit market datasets` shows each dataset\'s algorithms)' };
    }
    case 'TaskMarketBadDeadline': {
      const [deadline] = a as [bigint];
      return { details: `the deadline ${deadline} is in the past or beyond the market's maximum task duration`, hint: 'pass --deadline SECONDS within the deployment\'s maxTaskDuration' };
    }
    case 'TaskMarketDatasetUnavailable': {
      const [datasetId, status] = a as [bigint, number];
      return { details: `dataset ${datasetId} is not active (status ${status})`, hint: 'choose an active dataset (`tacit market datasets`)' };
    }
    case 'DataTokenSaleNotOpen': {
      const [datasetId] = a as [bigint];
      return { details: `dataset ${datasetId} has no open sale`, hint: 'ask its owner to open one (`tacit data sale NAME --price UNITS`)' };
    }
    case 'NodeRegistryStakeTooLow': {
      const [stake, minStake] = a as [bigint, bigint];
      return { details: `a stake of ${stake} is below the deployment's minimum ${minStake}`, hint: `stake at least ${minStake}` };
    }
    default:
      return undefined;
  }
}
