/**
 * Buys uses of a dataset on sale (DataTokenSale). The cost is read from the offer and passed
 * to `buy` as the most the buyer pays, and the sale is approved for exactly that amount: an
 * owner who raises the price while the purchase is in flight makes it revert
 * (`DataTokenSalePriceAboveMax`) instead of charging more, and no standing allowance is left
 * for a later price change to draw on.
 */
import { erc20Abi, type Hash } from 'viem';
import { DataTokenSaleAbi } from '../../chain/artifacts.js';
import { TransactionRevertedError } from '../../chain/local-ledger.js';
import { requireAccount, SdkError, type TacitClient } from '../client.js';

export interface BuyDataTokensParameters {
  datasetId: bigint;
  uses: bigint;
  /** The most to pay in total (payment-token units); default: the offer's current cost. */
  maxCost?: bigint;
}
export type BuyDataTokensReturnType = { txHash: Hash; cost: bigint };

/** @example await buyDataTokens(client, { datasetId: 1n, uses: 3n }); */
export async function buyDataTokens(client: TacitClient, p: BuyDataTokensParameters): Promise<BuyDataTokensReturnType> {
  const account = requireAccount(client);
  const { ledger } = client;
  const sale = ledger.manifest.contracts.DataTokenSale;
  const pay = ledger.manifest.contracts.PaymentToken;
  const [open, pricePerUse] = await ledger.pub.readContract({ address: sale, abi: DataTokenSaleAbi, functionName: 'offerOf', args: [p.datasetId] });
  if (!open) throw new SdkError(`dataset ${p.datasetId} is not on sale`, { hint: 'list the datasets on sale with `tacit market datasets`' });
  const cost = p.uses * pricePerUse;
  const maxCost = p.maxCost ?? cost;
  if (cost > maxCost) throw new SdkError(`buying ${p.uses} uses of dataset ${p.datasetId} costs ${cost}, more than the maximum ${maxCost}`);
  const allowance = await ledger.pub.readContract({ address: pay, abi: erc20Abi, functionName: 'allowance', args: [account.address, sale] });
  if (allowance !== maxCost) {
    await ledger.tx(account, 'approve', (w) => w.writeContract({ address: pay, abi: erc20Abi, functionName: 'approve', args: [sale, maxCost] }));
  }
  try {
    const r = await ledger.tx(account, 'buy data tokens', (w) => w.writeContract({ address: sale, abi: DataTokenSaleAbi, functionName: 'buy', args: [p.datasetId, p.uses, maxCost] }));
    return { txHash: r.transactionHash, cost };
  } catch (err) {
    if (err instanceof TransactionRevertedError && err.errorName === 'DataTokenSalePriceAboveMax') {
      throw new SdkError(`the price of dataset ${p.datasetId} rose above ${maxCost} for ${p.uses} uses before the purchase went through; nothing was bought`, {
        hint: 'check the new price (`tacit market datasets`) and buy again if it suits you',
        cause: err,
      });
    }
    throw err;
  }
}
