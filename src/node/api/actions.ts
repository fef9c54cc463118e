/**
 * What the API asks the daemon to do. The API validates and authenticates requests but owns
 * no chain state: importing and publishing go through these callbacks, which the daemon
 * supplies (it holds the unlocked account, the clients and the transaction queue).
 * `datasetActions` is the straightforward implementation on a store and a publish context,
 * for daemons that need nothing more and for tests.
 */
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { publishDataset, type PublishContext, type PublishResult } from '../datasets/publish.js';
import { ImportFileError, NodeUnavailableError } from '../errors.js';
import type { DatasetRecord, NodeStore } from '../store/index.js';
import type { ImportDatasetBody, PublishDatasetBody } from './schemas.js';

export interface ApiActions {
  /** Imports a CSV from a path on the node's host (CsvError with every bad line when it is bad). */
  importDataset(input: ImportDatasetBody): Promise<DatasetRecord> | DatasetRecord;
  /** Lists a stored dataset on-chain. */
  publishDataset(name: string, input: PublishDatasetBody): Promise<PublishResult>;
  /** Offers uses of a published dataset in the DataTokenSale (mints them first). */
  openSale?(name: string, input: { pricePerUse: string; uses?: number }): Promise<{ datasetId: string; pricePerUse: string; uses: number }>;
  /** Closes a dataset's offer in the DataTokenSale. */
  closeSale?(name: string): Promise<{ datasetId: string; open: false }>;
}

/** Checks that `path` names a regular file by absolute path (the API's cwd means nothing to a client). */
export function assertImportFile(path: string): void {
  if (!isAbsolute(path)) {
    throw new ImportFileError(`the CSV path must be absolute, got "${path}"`, { hint: 'the node resolves nothing against its own working directory; `tacit data import` sends absolute paths' });
  }
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch (cause) {
    throw new ImportFileError(`cannot read ${path} on the node's host`, { hint: 'the file must be on the machine the node runs on, readable by the node\'s user', cause });
  }
  if (!isFile) throw new ImportFileError(`${path} is not a regular file`);
}

export function datasetActions(ctx: { store: NodeStore; publish?: Omit<PublishContext, 'store'> }): ApiActions {
  return {
    importDataset(input) {
      assertImportFile(input.path);
      return ctx.store.importCsv(input.name, input.path, { idColumn: input.idColumn, uniqueIds: input.uniqueIds === true, ...(input.columns ? { columns: input.columns } : {}) });
    },
    async publishDataset(name, input) {
      if (!ctx.publish) throw new NodeUnavailableError('this node is running without a chain connection', { hint: 'check chain.manifest and chain.rpcUrl in node.json' });
      return publishDataset({ ...ctx.publish, store: ctx.store }, name, {
        price: input.price,
        algorithms: input.algorithms,
        mint: input.mint ?? 0,
        ...(input.metadataUri !== undefined ? { metadataUri: input.metadataUri } : {}),
      });
    },
  };
}
