/** Every dataset in the DataRegistry: owner, price, token, size, commitments, sale offer. */
import { DataRegistryAbi, DataTokenSaleAbi } from '../../chain/artifacts.js';
import type { Address, Hex } from 'viem';
import type { TacitClient } from '../client.js';
import { schemaFromListing, type PublishedSchema } from '../../data/schema-uri.js';

function withSchema(uri: string, hash: Hex): { schema?: PublishedSchema } {
  const schema = schemaFromListing(uri, hash);
  return schema ? { schema } : {};
}

const STATUS = ['None', 'Active', 'Paused', 'Retired'] as const;

export interface DatasetSummary {
  id: bigint;
  owner: Address;
  token: Address;
  price: bigint;
  rowCount: bigint;
  schemaHash: Hex;
  contentCommitment: Hex;
  metadataURI: string;
  status: (typeof STATUS)[number];
  sale: { open: boolean; pricePerUse: bigint };
  /** The published schema (id column, columns) when the listing carries one matching its schemaHash. */
  schema?: PublishedSchema;
}
export type ListDatasetsReturnType = DatasetSummary[];

/** @example const datasets = await listDatasets(client); */
export async function listDatasets(client: TacitClient): Promise<ListDatasetsReturnType> {
  const { pub, manifest } = client.ledger;
  const registry = manifest.contracts.DataRegistry;
  const n = await pub.readContract({ address: registry, abi: DataRegistryAbi, functionName: 'datasetCount' });
  const out: DatasetSummary[] = [];
  for (let id = 1n; id <= n; id++) {
    const d = await pub.readContract({ address: registry, abi: DataRegistryAbi, functionName: 'getDataset', args: [id] });
    const [open, pricePerUse] = await pub.readContract({ address: manifest.contracts.DataTokenSale, abi: DataTokenSaleAbi, functionName: 'offerOf', args: [id] });
    out.push({
      id,
      owner: d.owner,
      token: d.token,
      price: d.price,
      rowCount: d.rowCount,
      schemaHash: d.schemaHash,
      contentCommitment: d.contentCommitment,
      metadataURI: d.metadataURI,
      status: STATUS[d.status] ?? 'None',
      sale: { open, pricePerUse },
      ...withSchema(d.metadataURI, d.schemaHash),
    });
  }
  return out;
}
