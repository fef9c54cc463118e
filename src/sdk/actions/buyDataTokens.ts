/** Buys uses of a dataset on sale (DataTokenSale), approving the payment first if needed. */
import { erc20Abi, maxUint256, type Hash } from 'viem';
import { DataTokenSaleAbi } from '../../chain/artifacts.js';
import { requireAccount, type TacitClient } from '../client.js';

export interface BuyDataTokensParameters {
  datasetId: bigint;
  uses: bigint;
}
export type BuyDataTokensReturnType = { txHash: Hash };

/** @example await buyDataTokens(client, { datasetId: 1n, uses: 3n }); */
export async function buyDataTokens(client: TacitClient, p: BuyDataTokensParameters): Promise<BuyDataTokensReturnType> {
  const account = requireAccount(client);
  const { ledger } = client;
  const sale = ledger.manifest.contracts.DataTokenSale;
  const pay = ledger.manifest.contracts.PaymentToken;
  const allowance = await ledger.pub.readContract({ address: pay, abi: erc20Abi, functionName: 'allowance', args: [account.address, sale] });
  if (allowance < 2n ** 200n) await ledger.approve(account, pay, sale, maxUint256);
  const r = await ledger.tx(account, 'buy data tokens', (w) => w.writeContract({ address: sale, abi: DataTokenSaleAbi, functionName: 'buy', args: [p.datasetId, p.uses] }));
  return { txHash: r.transactionHash };
}
