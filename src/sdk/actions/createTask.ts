/**
 * Creates a task: publishes its public parameters with it (TaskMarket.createTaskWithParams),
 * escrowing the fee and one data token per dataset. The TaskMarket is approved for exactly
 * what this task escrows — never an open-ended allowance a later bug or compromise could
 * draw on — and one account's creations are serialised so that two concurrent calls do not
 * overwrite each other's approvals.
 */
import { erc20Abi, parseEventLogs, type Address, type Hash, type Hex } from 'viem';
import { randomBytes } from 'node:crypto';
import { DataRegistryAbi, TaskMarketAbi } from '../../chain/artifacts.js';
import { algorithmId } from '../../chain/algorithm-id.js';
import { codeHashOf } from '../../algorithms/program.js';
import { PROGRAMS } from '../../algorithms/programs/index.js';
import { encodeTaskParams, type TaskParams } from '../../algorithms/task-params.js';
import { checkTaskParameters } from '../../algorithms/parameters.js';
import { schemaFromListing } from '../../data/schema-uri.js';
import { requireAccount, SdkError, type TacitClient } from '../client.js';

export interface CreateTaskParameters {
  program: string;
  protocol: 'rep3' | 'semi2k';
  /** Program parameters; parties are named by node address. */
  params: Record<string, unknown>;
  datasetIds: bigint[];
  computeParties: Address[];
  receiver: Address;
  /** Payment-token units escrowed (≥ the datasets' prices). */
  fee: bigint;
  /** Seconds from now until the deadline (default 1 hour). */
  deadlineSeconds?: number;
  /** The requester's sealed-box public key (hex): the receiver then also seals the result to it. */
  resultKey?: string;
  /**
   * A numeric field of the result (e.g. "total" of a debt query) the receiver commits to
   * on-chain as Poseidon(value, salt) (TaskMarket.commitResult), so it can later prove
   * statements about it without revealing it (docs/zk.md "Task results"); the salt comes
   * back inside the sealed result.
   */
  zkResult?: string;
  /**
   * Send the parameters as given, without the courtesy checks below (nodes check every task
   * themselves before consenting). For tests that play a hostile requester.
   */
  unchecked?: boolean;
}
export type CreateTaskReturnType = { taskId: bigint; txHash: Hash; paramsHash: Hex; gasUsed: bigint };

/** @example const { taskId } = await createTask(client, { program: 'psi', protocol: 'rep3', … }); */
export async function createTask(client: TacitClient, p: CreateTaskParameters): Promise<CreateTaskReturnType> {
  const account = requireAccount(client);
  const previous = creating.get(account.address) ?? Promise.resolve();
  const mine = previous.catch(() => {}).then(() => create(client, p));
  creating.set(account.address, mine);
  return mine;
}

/** Per account, the tail of its chain of task creations. */
const creating = new Map<Address, Promise<unknown>>();

async function create(client: TacitClient, p: CreateTaskParameters): Promise<CreateTaskReturnType> {
  const account = requireAccount(client);
  const { ledger } = client;
  const program = PROGRAMS.get(p.program);
  if (!program) throw new SdkError(`unknown program ${p.program}`, { hint: `known: ${[...PROGRAMS.keys()].join(', ')}` });
  // Check everything that can be checked before a transaction: the parameters against the
  // program's table and the columns against each dataset's published schema.
  const listings = await Promise.all(
    p.datasetIds.map((id) => ledger.pub.readContract({ address: ledger.manifest.contracts.DataRegistry, abi: DataRegistryAbi, functionName: 'getDataset', args: [id] })),
  );
  const params = p.unchecked ? p.params : checkTaskParameters(
    program.name,
    p.params,
    listings.map((d, i) => {
      const schema = schemaFromListing(d.metadataURI, d.schemaHash);
      return { datasetId: String(p.datasetIds[i]), owner: d.owner, ...(schema ? { columns: [schema.idColumn, ...schema.columns] } : {}) };
    }),
  );
  const tp: TaskParams = {
    v: 1,
    program: program.name,
    version: program.version,
    protocol: p.protocol,
    params,
    nonce: randomBytes(8).toString('hex'),
    ...(p.resultKey ? { resultKey: p.resultKey } : {}),
    ...(p.zkResult ? { zkResult: p.zkResult } : {}),
  };
  const { hex, hash } = encodeTaskParams(tp);
  const market = ledger.manifest.contracts.TaskMarket;
  const approveExactly = async (token: Address, need: bigint) => {
    const a = await ledger.pub.readContract({ address: token, abi: erc20Abi, functionName: 'allowance', args: [account.address, market] });
    if (a !== need) await ledger.approve(account, token, market, need);
  };
  await approveExactly(ledger.manifest.contracts.PaymentToken, p.fee);
  for (const d of listings) await approveExactly(d.token, 10n ** 18n);
  // A chain that mines only on transactions can have a stale last timestamp: use the clock too.
  const now = BigInt(Math.max(Number((await ledger.pub.getBlock()).timestamp), Math.floor(Date.now() / 1000)));
  const spec = {
    algorithmId: algorithmId(program.name),
    codeHash: codeHashOf(program) as Hex,
    paramsHash: hash,
    datasetIds: p.datasetIds,
    computeParties: p.computeParties,
    receiver: p.receiver,
    fee: p.fee,
    deadline: now + BigInt(p.deadlineSeconds ?? 3600),
  };
  const receipt = await ledger.tx(account, 'createTask', (w) =>
    w.writeContract({ address: market, abi: TaskMarketAbi, functionName: 'createTaskWithParams', args: [spec, hex] }),
  );
  const [ev] = parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskCreated', logs: receipt.logs });
  if (!ev) throw new SdkError('createTask: no TaskCreated event in the receipt');
  return { taskId: ev.args.taskId, txHash: receipt.transactionHash, paramsHash: hash, gasUsed: receipt.gasUsed };
}
