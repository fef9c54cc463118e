/**
 * A driver for a Tacit ledger on a local chain, shared by the tests, the benchmark and the
 * sandbox: it holds the clients, sends transactions as any dev account and waits for their
 * receipts, and knows the few multi-step chores (fund + approve + register a node, list a
 * dataset, create a task) that every scenario repeats. It uses anvil's dev accounts, so it is
 * for local chains only.
 */
import {
  createTestClient,
  http,
  parseEventLogs,
  type Account,
  type Address,
  type Hash,
  type Hex,
  type TransactionReceipt,
  zeroAddress,
} from 'viem';
import { DataRegistryAbi, NodeRegistryAbi, TaskMarketAbi, TestTokenAbi } from './artifacts.js';
import { publicClientFor, walletClientFor, type TacitPublicClient, type TacitWalletClient } from './clients.js';
import { getContracts } from './contracts.js';
import { deployTacit, type DeployOptions } from './deploy.js';
import { devAccount, devPrivateKey } from './dev-accounts.js';
import { startEphemeralChain } from './embedded.js';
import { ChainError } from './errors.js';
import type { TacitManifest } from './manifest.js';
import { decodeRevert } from './revert.js';
import { explainRevert, type RevertExplanation } from './revert-explain.js';

export interface NodeSetup {
  name?: string;
  endpoint?: string;
  tlsFingerprint?: Hex;
  roles: number;
  /** Defaults to the deployment's minimum stake. */
  stake?: bigint;
}

export interface DatasetSetup {
  price: bigint;
  algorithms: Hex[];
  /** Data token units minted to the owner at listing (default 10 uses). */
  initialSupply?: bigint;
  rowCount?: bigint;
  schemaHash?: Hex;
  contentCommitment?: Hex;
  metadataURI?: string;
}

export interface TaskSpecInput {
  algorithmId: Hex;
  codeHash: Hex;
  paramsHash: Hex;
  datasetIds: bigint[];
  computeParties: Address[];
  receiver: Address;
  fee: bigint;
  deadline: bigint;
}

/** A transaction reverted; `errorName` is the decoded custom error when known. */
export class TransactionRevertedError extends ChainError {
  override name = 'TransactionRevertedError';
  readonly errorName: string | undefined;
  readonly errorArgs: readonly unknown[];
  constructor(what: string, errorName: string | undefined, errorArgs: readonly unknown[], cause: unknown, explained?: RevertExplanation) {
    super(`${what} reverted${errorName ? ` with ${errorName}` : ''}`, { cause, ...(explained ?? {}) });
    this.errorName = errorName;
    this.errorArgs = errorArgs;
  }
}

export class LocalLedger {
  readonly pub: TacitPublicClient;
  readonly contracts: ReturnType<typeof getContracts>;
  private readonly wallets = new Map<Address, TacitWalletClient>();
  /** Per account, the tail of its chain of sends: one transaction in the mempool at a time. */
  private readonly sending = new Map<Address, Promise<unknown>>();

  private readonly accounts = new Map<number, Account>();

  /**
   * @param options.fixedGas send task transactions with this gas limit instead of estimating
   *        them. With several transactions in flight an estimate made against one state can
   *        fall short in the state the transaction is finally mined in (a balance slot that
   *        was non-zero at estimation is zero again, say), so concurrent runs use a fixed limit.
   */
  constructor(
    readonly rpcUrl: string,
    readonly manifest: TacitManifest,
    private readonly options: { fixedGas?: bigint } = {},
  ) {
    this.pub = publicClientFor({ rpcUrl, chainId: manifest.chainId, pollingInterval: 20 });
    this.contracts = getContracts(this.pub, manifest);
  }

  /** Deploys Tacit with dev account 0 on the chain at `rpcUrl`. */
  static async deploy(
    rpcUrl: string,
    options: Partial<DeployOptions> = {},
    ledgerOptions: { fixedGas?: bigint } = {},
  ): Promise<LocalLedger> {
    const manifest = await deployTacit({ rpcUrl, account: devPrivateKey(0), pollingInterval: 20, ...options });
    return new LocalLedger(rpcUrl, manifest, ledgerOptions);
  }

  /** Dev account `i` (0 deployed the contracts). */
  account(i: number): Account {
    let a = this.accounts.get(i);
    if (!a) {
      a = devAccount(i);
      this.accounts.set(i, a);
    }
    return a;
  }

  wallet(account: Account): TacitWalletClient {
    let w = this.wallets.get(account.address);
    if (!w) {
      w = walletClientFor({ rpcUrl: this.rpcUrl, chainId: this.manifest.chainId, account, pollingInterval: 20 });
      this.wallets.set(account.address, w);
    }
    return w;
  }

  /**
   * Sends a transaction built by `build` from `account`'s wallet and waits for its receipt.
   * A revert (at estimation or on-chain) becomes a TransactionRevertedError with the
   * decoded custom error name. Sends from one account are serialised (each picks its nonce
   * after the previous one is in), so concurrent flows may share accounts.
   */
  async tx(account: Account, what: string, build: (w: TacitWalletClient) => Promise<Hash>): Promise<TransactionReceipt> {
    let hash: Hash;
    try {
      const previous = this.sending.get(account.address) ?? Promise.resolve();
      const mine = previous.catch(() => {}).then(() => build(this.wallet(account)));
      this.sending.set(account.address, mine);
      hash = await mine;
    } catch (err) {
      const d = decodeRevert(err);
      if (d) throw new TransactionRevertedError(what, d.name, d.args, err, await explainRevert(d, this).catch(() => undefined));
      throw err;
    }
    const receipt = await this.pub.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new TransactionRevertedError(what, undefined, [], undefined);
    return receipt;
  }

  // ------------------------------------------------------------ payment token

  /** Mints TestToken to `to` (only when the deployment uses the test token). */
  async mint(to: Address, amount: bigint, from: Account = this.account(0)) {
    if (!this.manifest.testPaymentToken) throw new ChainError('mint needs the TestToken payment token');
    return this.tx(from, 'mint', (w) =>
      w.writeContract({ address: this.manifest.contracts.PaymentToken, abi: TestTokenAbi, functionName: 'mint', args: [to, amount] }),
    );
  }

  async approve(account: Account, token: Address, spender: Address, amount: bigint) {
    return this.tx(account, 'approve', (w) =>
      w.writeContract({ address: token, abi: TestTokenAbi, functionName: 'approve', args: [spender, amount] }),
    );
  }

  async balanceOf(token: Address, who: Address): Promise<bigint> {
    return this.pub.readContract({ address: token, abi: TestTokenAbi, functionName: 'balanceOf', args: [who] });
  }

  async paymentBalance(who: Address): Promise<bigint> {
    return this.balanceOf(this.manifest.contracts.PaymentToken, who);
  }

  // ------------------------------------------------------------ nodes and datasets

  /** Mints the stake, approves it and registers `account` as a node. */
  async registerNode(account: Account, setup: NodeSetup) {
    const stake = setup.stake ?? BigInt(this.manifest.parameters.minStake);
    const registry = this.manifest.contracts.NodeRegistry;
    await this.mint(account.address, stake);
    await this.approve(account, this.manifest.contracts.PaymentToken, registry, stake);
    return this.tx(account, 'register', (w) =>
      w.writeContract({
        address: registry,
        abi: NodeRegistryAbi,
        functionName: 'register',
        args: [
          setup.name ?? `node-${account.address.slice(2, 8)}`,
          setup.endpoint ?? '127.0.0.1:0',
          setup.tlsFingerprint ?? (`0x${account.address.slice(2).padEnd(64, '0')}` as Hex),
          setup.roles,
          stake,
        ],
      }),
    );
  }

  /** Lists a dataset owned by `owner`; returns its id and data token. */
  async listDataset(owner: Account, setup: DatasetSetup): Promise<{ datasetId: bigint; token: Address }> {
    const receipt = await this.tx(owner, 'list', (w) =>
      w.writeContract({
        address: this.manifest.contracts.DataRegistry,
        abi: DataRegistryAbi,
        functionName: 'list',
        args: [
          {
            schemaHash: setup.schemaHash ?? `0x${'5c'.repeat(32)}`,
            contentCommitment: setup.contentCommitment ?? `0x${'c0'.repeat(32)}`,
            rowCount: setup.rowCount ?? 1000n,
            price: setup.price,
            metadataURI: setup.metadataURI ?? 'ipfs://dataset',
            allowedAlgorithms: setup.algorithms,
            initialSupply: setup.initialSupply ?? 10n * 10n ** 18n,
          },
        ],
      }),
    );
    const [ev] = parseEventLogs({ abi: DataRegistryAbi, eventName: 'DatasetListed', logs: receipt.logs });
    if (!ev) throw new ChainError('list: no DatasetListed event');
    return { datasetId: ev.args.datasetId, token: ev.args.token };
  }

  // ------------------------------------------------------------ tasks

  /** Creates a task (approvals must be in place); returns its id and the receipt. */
  async createTask(requester: Account, spec: TaskSpecInput) {
    const receipt = await this.tx(requester, 'createTask', (w) =>
      w.writeContract({ address: this.manifest.contracts.TaskMarket, abi: TaskMarketAbi, functionName: 'createTask', args: [spec], gas: this.options.fixedGas }),
    );
    const [ev] = parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskCreated', logs: receipt.logs });
    if (!ev) throw new ChainError('createTask: no TaskCreated event');
    return { taskId: ev.args.taskId, receipt };
  }

  /** Creates a task and publishes its parameters (keccak256(params) must be spec.paramsHash). */
  async createTaskWithParams(requester: Account, spec: TaskSpecInput, params: Hex) {
    const receipt = await this.tx(requester, 'createTaskWithParams', (w) =>
      w.writeContract({ address: this.manifest.contracts.TaskMarket, abi: TaskMarketAbi, functionName: 'createTaskWithParams', args: [spec, params], gas: this.options.fixedGas }),
    );
    const [ev] = parseEventLogs({ abi: TaskMarketAbi, eventName: 'TaskCreated', logs: receipt.logs });
    if (!ev) throw new ChainError('createTaskWithParams: no TaskCreated event');
    return { taskId: ev.args.taskId, receipt };
  }

  async accept(node: Account, taskId: bigint) {
    return this.tx(node, 'accept', (w) =>
      w.writeContract({ address: this.manifest.contracts.TaskMarket, abi: TaskMarketAbi, functionName: 'accept', args: [taskId], gas: this.options.fixedGas }),
    );
  }

  /** Declines a task with a reason code and a short reason (never data). */
  async refuse(node: Account, taskId: bigint, code = 0, reason = '') {
    return this.#market(node, 'refuse', 'refuse', [taskId, code, reason]);
  }

  async commit(node: Account, taskId: bigint, commitment: Hex) {
    return this.#market(node, 'commit', 'commit', [taskId, commitment]);
  }

  async reveal(node: Account, taskId: bigint, claims: Hex[], salt: Hex) {
    return this.#market(node, 'reveal', 'reveal', [taskId, claims, salt]);
  }

  /** Reports a failed session, blaming `blamed` (a party of the task) or nobody (zero address). */
  async reportFailure(node: Account, taskId: bigint, phase: number, reason: number, blamed: Address = zeroAddress) {
    return this.#market(node, 'reportFailure', 'reportFailure', [taskId, phase, reason, blamed]);
  }

  /** Ends a Disputed task from every compute party's revealed opening. */
  async resolve(caller: Account, taskId: bigint, claims: Hex[][], salts: Hex[]) {
    return this.#market(caller, 'resolve', 'resolve', [taskId, claims, salts]);
  }

  /** The receiver records Poseidon(result, salt) of the task's result, for zero-knowledge claims (docs/zk.md). */
  async commitResult(receiver: Account, taskId: bigint, commitment: bigint) {
    return this.#market(receiver, 'commitResult', 'commitResult', [taskId, commitment]);
  }

  #market(account: Account, what: string, functionName: string, args: readonly unknown[]) {
    return this.tx(account, what, (w) =>
      w.writeContract({ address: this.manifest.contracts.TaskMarket, abi: TaskMarketAbi, functionName, args, gas: this.options.fixedGas } as unknown as Parameters<TacitWalletClient['writeContract']>[0]),
    );
  }

  async expire(caller: Account, taskId: bigint) {
    return this.tx(caller, 'expire', (w) =>
      w.writeContract({ address: this.manifest.contracts.TaskMarket, abi: TaskMarketAbi, functionName: 'expire', args: [taskId], gas: this.options.fixedGas }),
    );
  }

  async getTask(taskId: bigint, blockNumber?: bigint) {
    return this.pub.readContract({
      address: this.manifest.contracts.TaskMarket,
      abi: TaskMarketAbi,
      functionName: 'getTask',
      args: [taskId],
      ...(blockNumber !== undefined ? { blockNumber } : {}),
    });
  }

  // ------------------------------------------------------------ time

  /** Timestamp of the latest block. */
  async now(): Promise<bigint> {
    return (await this.pub.getBlock()).timestamp;
  }

  /** Moves the chain's clock forward and mines a block (anvil only). */
  async increaseTime(seconds: number): Promise<void> {
    const test = createTestClient({ mode: 'anvil', transport: http(this.rpcUrl) });
    await test.increaseTime({ seconds });
    await test.mine({ blocks: 1 });
  }
}

/** Starts a throw-away anvil, deploys Tacit on it and returns the driver plus a stop(). */
export async function startLocalLedger(options: Partial<DeployOptions> = {}) {
  const chain = await startEphemeralChain();
  try {
    const ledger = await LocalLedger.deploy(chain.rpcUrl, options);
    return { ledger, chain, stop: () => chain.stop() };
  } catch (err) {
    await chain.stop();
    throw err;
  }
}

/** The scenario the lifecycle tests and the benchmark share: 1 data owner + 3 compute nodes. */
export interface StandardScenario {
  requester: Account;
  dataOwner: Account;
  compute: [Account, Account, Account];
  datasetId: bigint;
  dataToken: Address;
  algorithmId: Hex;
  price: bigint;
  /** A spec for a new task on this scenario (fresh deadline each call). */
  spec(overrides?: Partial<TaskSpecInput>): Promise<TaskSpecInput>;
}

export const TOKEN = 10n ** 18n;
const MAX_UINT256 = 2n ** 256n - 1n;

/**
 * Registers dev account 2 as a data node with one dataset (price 10 tokens), dev accounts
 * 3-5 as compute nodes (3 also receives results), funds dev account 1 as requester with
 * `requesterFunds` tokens and `dataUses` data tokens, and approves the TaskMarket for both.
 */
export async function setupStandardScenario(
  ledger: LocalLedger,
  options: { requesterFunds?: bigint; dataUses?: bigint; price?: bigint; nodeStake?: bigint } = {},
): Promise<StandardScenario> {
  const requester = ledger.account(1);
  const dataOwner = ledger.account(2);
  const compute: [Account, Account, Account] = [ledger.account(3), ledger.account(4), ledger.account(5)];
  const algorithmId = `0x${'a1'.repeat(32)}` as Hex;
  const price = options.price ?? 10n * TOKEN;
  const market = ledger.manifest.contracts.TaskMarket;

  const stake = options.nodeStake;
  await ledger.registerNode(dataOwner, { roles: 1, name: 'bank-a', stake });
  await ledger.registerNode(compute[0], { roles: 2 | 4, name: 'lender-b', stake });
  await ledger.registerNode(compute[1], { roles: 2, name: 'lender-c', stake });
  await ledger.registerNode(compute[2], { roles: 2, name: 'payments-d', stake });
  const uses = options.dataUses ?? 10n;
  const { datasetId, token } = await ledger.listDataset(dataOwner, {
    price,
    algorithms: [algorithmId],
    initialSupply: uses * TOKEN,
  });
  await ledger.tx(dataOwner, 'transfer', (w) =>
    w.writeContract({ address: token, abi: TestTokenAbi, functionName: 'transfer', args: [requester.address, uses * TOKEN] }),
  );
  await ledger.mint(requester.address, options.requesterFunds ?? 1000n * TOKEN);
  await ledger.approve(requester, ledger.manifest.contracts.PaymentToken, market, MAX_UINT256);
  await ledger.approve(requester, token, market, MAX_UINT256);

  return {
    requester,
    dataOwner,
    compute,
    datasetId,
    dataToken: token,
    algorithmId,
    price,
    async spec(overrides = {}) {
      const now = await ledger.now();
      return {
        algorithmId,
        codeHash: `0x${'c1'.repeat(32)}`,
        paramsHash: `0x${'9a'.repeat(32)}`,
        datasetIds: [datasetId],
        computeParties: compute.map((a) => a.address),
        receiver: compute[0].address,
        fee: 100n * TOKEN,
        deadline: now + 3600n,
        ...overrides,
      };
    },
  };
}
