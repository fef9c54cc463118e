/**
 * Offers uses of a published dataset in the DataTokenSale: mints the data tokens to sell to
 * the owner (this node), lets the sale contract move them, and opens the offer at a fixed
 * price per use. Buyers then pay and receive tokens in one transaction, with no step here.
 */
import { maxUint256, type Account } from 'viem';
import { DataTokenAbi, DataTokenSaleAbi } from '../../chain/artifacts.js';
import type { LocalLedger } from '../../chain/local-ledger.js';
import { DatasetNotFoundError, PublishArgumentError } from '../errors.js';
import type { NodeStore } from '../store/index.js';

export async function openSale(
  ctx: { ledger: LocalLedger; account: Account; store: NodeStore },
  name: string,
  input: { pricePerUse: string; uses?: number },
): Promise<{ datasetId: string; pricePerUse: string; uses: number }> {
  const ds = ctx.store.getDataset(name);
  if (!ds) throw new DatasetNotFoundError(name);
  if (!ds.datasetId || !ds.token) throw new PublishArgumentError(`dataset ${name} is not published yet`, { hint: 'publish it first (POST /datasets/:name/publish)' });
  const uses = input.uses ?? 100;
  const sale = ctx.ledger.manifest.contracts.DataTokenSale;
  const { ledger, account } = ctx;
  if (uses > 0) {
    await ledger.tx(account, 'mint data tokens', (w) => w.writeContract({ address: ds.token!, abi: DataTokenAbi, functionName: 'mint', args: [account.address, BigInt(uses) * 10n ** 18n] }));
  }
  await ledger.approve(account, ds.token, sale, maxUint256);
  await ledger.tx(account, 'open sale', (w) => w.writeContract({ address: sale, abi: DataTokenSaleAbi, functionName: 'openSale', args: [BigInt(ds.datasetId!), BigInt(input.pricePerUse)] }));
  return { datasetId: ds.datasetId, pricePerUse: input.pricePerUse, uses };
}

/** Closes the offer: buyers can no longer buy uses (tokens already sold stay valid). */
export async function closeSale(
  ctx: { ledger: LocalLedger; account: Account; store: NodeStore },
  name: string,
): Promise<{ datasetId: string; open: false }> {
  const ds = ctx.store.getDataset(name);
  if (!ds) throw new DatasetNotFoundError(name);
  if (!ds.datasetId) throw new PublishArgumentError(`dataset ${name} is not published`, { hint: 'there is no sale to close' });
  const sale = ctx.ledger.manifest.contracts.DataTokenSale;
  await ctx.ledger.tx(ctx.account, 'close sale', (w) => w.writeContract({ address: sale, abi: DataTokenSaleAbi, functionName: 'closeSale', args: [BigInt(ds.datasetId!)] }));
  return { datasetId: ds.datasetId, open: false };
}
