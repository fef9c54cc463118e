/**
 * Publishing a stored dataset: one `DataRegistry.list` transaction from the node's account
 * with the dataset's schema hash, row count, content commitment, price per use, allowed
 * algorithm ids and metadata URI; the registry creates the dataset's DataToken and mints
 * the initial supply (`mint` uses × 1e18 units) to the owner in the same transaction. The
 * registry's id and the token go into the store. Only those hashes and terms leave the
 * node: raw rows never do.
 *
 * Crash safety: the transaction is signed first, its hash recorded in the store (status
 * `publishing`), and only then broadcast. A node that dies at any point finds the hash on
 * the next attempt and resumes — confirming the listing if it was mined, retrying if it was
 * not — so a dataset is never listed twice because of a crash. (If an RPC endpoint forgets a
 * transaction that is in fact still pending elsewhere, a retry could still list twice; the
 * retry waits for the timeout of the previous wait before giving up on it.)
 */
import { schemaUri } from '../../data/schema-uri.js';
import {
  encodeFunctionData,
  erc20Abi,
  isAddressEqual,
  keccak256,
  parseEventLogs,
  zeroAddress,
  type Account,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import type { Logger } from 'pino';
import { toAlgorithmId } from '../../chain/algorithm-id.js';
import { DataRegistryAbi, NodeRegistryAbi } from '../../chain/artifacts.js';
import { publicClientFor, walletClientFor, type TacitPublicClient, type TacitWalletClient } from '../../chain/clients.js';
import type { TacitManifest } from '../../chain/manifest.js';
import { decodeRevert } from '../../chain/revert.js';
import { DATA_TOKEN_UNIT, Role } from '../../chain/roles.js';
import {
  DatasetAlreadyPublishedError,
  EmptyDatasetError,
  NodeNotEligibleError,
  NodeTransactionError,
  PublishArgumentError,
} from '../errors.js';
import type { NodeMetrics } from '../metrics.js';
import type { DatasetRecord, NodeStore } from '../store/index.js';

export interface PublishContext {
  store: NodeStore;
  manifest: TacitManifest;
  /** The node's chain account (the dataset owner). */
  account: Account;
  /** RPC endpoint when clients are not given (default: the manifest's). */
  rpcUrl?: string;
  publicClient?: TacitPublicClient;
  /** Must sign with `account`. */
  walletClient?: TacitWalletClient;
  metrics?: NodeMetrics;
  logger?: Logger;
  /** How long to wait for the listing to be mined (default 120 s). */
  timeoutMs?: number;
}

export interface PublishOptions {
  /** Price per use, payment-token base units. */
  price: bigint | string;
  /** Program names (ids are keccak256 of the name) or 0x-prefixed bytes32 ids. */
  algorithms: string[];
  metadataUri?: string;
  /** Data tokens (uses) minted to the owner at listing; each is 1e18 units. */
  mint: number | bigint;
}

export interface PublishResult {
  dataset: DatasetRecord;
  datasetId: string;
  token: Address;
  txHash: Hex;
  algorithmIds: Hex[];
  /** Units minted to the owner (decimal string). */
  minted: string;
  /** True when this call finished a listing started by an earlier one. */
  resumed: boolean;
}

const UINT96_MAX = 2n ** 96n - 1n;
const MAX_MINT = 10n ** 15n;

/** Lists the stored dataset `name` in the DataRegistry and records its id and token. */
export async function publishDataset(ctx: PublishContext, name: string, options: PublishOptions): Promise<PublishResult> {
  const { store, manifest, account } = ctx;
  const dataset = store.requireDataset(name);
  if (dataset.status !== 'local' && dataset.status !== 'publishing') {
    throw new DatasetAlreadyPublishedError(`dataset "${name}" is already listed on-chain`, {
      details: `DataRegistry dataset ${dataset.datasetId}, token ${dataset.token}`,
      hint: 'change its price or policy on-chain; to list other data, import it under a new name',
    });
  }
  const terms = checkTerms(dataset, options);
  const rpcUrl = ctx.rpcUrl ?? manifest.rpcUrl;
  if (!ctx.publicClient && !rpcUrl) throw new PublishArgumentError('no RPC endpoint', { hint: 'set chain.rpcUrl in node.json' });
  const pub = ctx.publicClient ?? publicClientFor({ rpcUrl: rpcUrl!, chainId: manifest.chainId });
  const wallet = ctx.walletClient ?? walletClientFor({ rpcUrl: rpcUrl!, chainId: manifest.chainId, account });
  const timeout = ctx.timeoutMs ?? 120_000;
  const count = (outcome: string) => ctx.metrics?.chainTransactions.inc({ method: 'DataRegistry.list', outcome });

  // An earlier attempt sent a listing: finish it instead of listing twice.
  if (dataset.status === 'publishing' && dataset.listTx) {
    const receipt = await findReceipt(pub, dataset.listTx, timeout);
    if (receipt?.status === 'success') return confirm(ctx, name, receipt, true);
    store.clearPublishing(name);
    ctx.logger?.warn({ dataset: name, tx: dataset.listTx, outcome: receipt ? 'reverted' : 'dropped' }, 'earlier listing transaction did not go through; listing again');
  }

  await assertDataNode(pub, manifest, account.address);
  const listing = {
    schemaHash: dataset.schemaHash,
    contentCommitment: dataset.commitment,
    rowCount: BigInt(dataset.rows),
    price: terms.price,
    metadataURI: terms.metadataUri,
    allowedAlgorithms: terms.algorithmIds,
    initialSupply: terms.minted,
  };
  const registry = manifest.contracts.DataRegistry;
  try {
    await pub.simulateContract({ address: registry, abi: DataRegistryAbi, functionName: 'list', args: [listing], account });
  } catch (err) {
    throw chainError(`listing dataset "${name}" would fail`, err);
  }

  let serialized: Hex;
  try {
    const request = await wallet.prepareTransactionRequest({
      account,
      to: registry,
      data: encodeFunctionData({ abi: DataRegistryAbi, functionName: 'list', args: [listing] }),
    });
    serialized = await wallet.signTransaction(request as Parameters<typeof wallet.signTransaction>[0]);
  } catch (err) {
    throw chainError(`preparing the listing of dataset "${name}" failed`, err);
  }
  const hash = keccak256(serialized);
  store.markPublishing(name, { listTx: hash, price: terms.price.toString(), algorithms: terms.algorithms, metadataUri: terms.metadataUri || null });
  try {
    await wallet.sendRawTransaction({ serializedTransaction: serialized });
  } catch (err) {
    store.clearPublishing(name);
    count('failed');
    throw chainError(`sending the listing of dataset "${name}" failed`, err);
  }
  ctx.logger?.info({ dataset: name, tx: hash }, 'listing transaction sent');
  let receipt: TransactionReceipt;
  try {
    receipt = await pub.waitForTransactionReceipt({ hash, timeout });
  } catch (err) {
    throw new NodeTransactionError(`the listing of dataset "${name}" was sent but is not mined yet`, undefined, {
      details: `transaction ${hash}`,
      hint: 'publish it again later: the node resumes from this transaction instead of listing twice',
      cause: err,
    });
  }
  if (receipt.status !== 'success') {
    store.clearPublishing(name);
    count('reverted');
    throw new NodeTransactionError(`the listing of dataset "${name}" reverted`, undefined, { details: `transaction ${hash}` });
  }
  count('success');
  return confirm(ctx, name, receipt, false);
}

interface Terms {
  price: bigint;
  algorithms: string[];
  algorithmIds: Hex[];
  metadataUri: string;
  minted: bigint;
}

function checkTerms(dataset: DatasetRecord, options: PublishOptions): Terms {
  if (dataset.rows === 0) throw new EmptyDatasetError(`dataset "${dataset.name}" has no rows`);
  let price: bigint;
  try {
    price = typeof options.price === 'bigint' ? options.price : BigInt(/^[0-9]+$/.test(String(options.price)) ? String(options.price) : 'x');
  } catch {
    throw new PublishArgumentError('price must be a non-negative integer (payment-token base units)');
  }
  if (price < 0n || price > UINT96_MAX) throw new PublishArgumentError(`price must be in [0, 2^96 - 1] base units`);
  if (!Array.isArray(options.algorithms) || options.algorithms.length === 0) {
    throw new PublishArgumentError('name at least one algorithm the dataset may be used with', { hint: 'e.g. --algorithms lr-train,lr-predict' });
  }
  if (options.algorithms.length > 64) throw new PublishArgumentError('at most 64 algorithms per listing');
  const algorithmIds = options.algorithms.map((a) => {
    if (typeof a !== 'string' || a.trim() === '') throw new PublishArgumentError('algorithm names must be non-empty strings');
    return toAlgorithmId(a.trim());
  });
  if (new Set(algorithmIds).size !== algorithmIds.length) throw new PublishArgumentError('an algorithm is listed twice');
  const mint = typeof options.mint === 'bigint' ? options.mint : Number.isSafeInteger(options.mint) ? BigInt(options.mint) : -1n;
  if (mint < 0n || mint > MAX_MINT) throw new PublishArgumentError(`mint must be a whole number of uses in [0, ${MAX_MINT}]`);
  // Without a URI of its own, the listing publishes the schema (names only, hashed on-chain)
  // so buyers see what they buy and requesters' tasks are checked before they are sent.
  const metadataUri = options.metadataUri ?? schemaUri({ idColumn: dataset.idColumn, columns: dataset.columns });
  if (typeof metadataUri !== 'string' || metadataUri.length > 2048) throw new PublishArgumentError('metadataUri must be a string of at most 2048 characters');
  return { price, algorithms: options.algorithms.map((a) => a.trim()), algorithmIds, metadataUri, minted: mint * DATA_TOKEN_UNIT };
}

/** Explains why the account may not list, if it may not. */
async function assertDataNode(pub: TacitPublicClient, manifest: TacitManifest, address: Address): Promise<void> {
  const registry = manifest.contracts.NodeRegistry;
  let eligible: boolean;
  let node: { registered: boolean; roles: number; stake: bigint; exitRequestedAt: number };
  try {
    [eligible, node] = await Promise.all([
      pub.readContract({ address: registry, abi: NodeRegistryAbi, functionName: 'isEligible', args: [address, Role.Data] }),
      pub.readContract({ address: registry, abi: NodeRegistryAbi, functionName: 'getNode', args: [address] }),
    ]);
  } catch (err) {
    throw chainError('cannot read the NodeRegistry', err);
  }
  if (eligible) return;
  const why = !node.registered
    ? 'it is not registered in the NodeRegistry'
    : node.exitRequestedAt !== 0
      ? 'it has requested to exit the network'
      : (node.roles & Role.Data) === 0
        ? 'it is registered without the data role'
        : `its stake (${node.stake}) is below the minimum (${manifest.parameters.minStake})`;
  throw new NodeNotEligibleError(`this node (${address}) may not list datasets: ${why}`, {
    hint: 'register the node with the data role and at least the minimum stake (or top the stake up) first',
  });
}

async function findReceipt(pub: TacitPublicClient, hash: Hex, timeout: number): Promise<TransactionReceipt | undefined> {
  try {
    return await pub.getTransactionReceipt({ hash });
  } catch {
    // not mined (yet): is it still pending?
  }
  try {
    await pub.getTransaction({ hash });
  } catch {
    return undefined; // unknown to the endpoint: dropped
  }
  try {
    return await pub.waitForTransactionReceipt({ hash, timeout });
  } catch (err) {
    throw new NodeTransactionError('an earlier listing transaction is still pending', undefined, {
      details: `transaction ${hash}`,
      hint: 'wait for it to be mined (or replaced), then publish again',
      cause: err,
    });
  }
}

/** Records the listing from its receipt: id, token, allowed ids and minted supply as the chain has them. */
function confirm(ctx: PublishContext, name: string, receipt: TransactionReceipt, resumed: boolean): PublishResult {
  const [ev] = parseEventLogs({ abi: DataRegistryAbi, eventName: 'DatasetListed', logs: receipt.logs });
  if (!ev) throw new NodeTransactionError(`the listing of dataset "${name}" emitted no DatasetListed event`, undefined, { details: `transaction ${receipt.transactionHash}` });
  const [policy] = parseEventLogs({ abi: DataRegistryAbi, eventName: 'DatasetPolicyUpdated', logs: receipt.logs });
  const token = ev.args.token;
  const minted = parseEventLogs({ abi: erc20Abi, eventName: 'Transfer', logs: receipt.logs })
    .filter((t) => isAddressEqual(t.address, token) && t.args.from === zeroAddress)
    .reduce((sum, t) => sum + t.args.value, 0n);
  const datasetId = ev.args.datasetId.toString();
  const dataset = ctx.store.recordPublication(name, { datasetId, token });
  ctx.logger?.info({ dataset: name, datasetId, dataToken: token, tx: receipt.transactionHash, resumed }, 'dataset listed');
  return {
    dataset,
    datasetId,
    token,
    txHash: receipt.transactionHash,
    algorithmIds: [...(policy?.args.allowed ?? [])],
    minted: minted.toString(),
    resumed,
  };
}

function chainError(what: string, err: unknown): NodeTransactionError {
  const d = decodeRevert(err);
  const short = (err as { shortMessage?: string }).shortMessage ?? (err as Error)?.message ?? String(err);
  return new NodeTransactionError(d ? `${what}: ${d.name}` : `${what}: ${short}`, d?.name, {
    hint: /insufficient funds|exceeds the balance/i.test(short) ? 'fund the node account with the chain\'s native currency for gas' : undefined,
    cause: err,
  });
}
