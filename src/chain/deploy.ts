/**
 * Deploys a complete Tacit ledger to any EVM chain and describes it in a manifest: the
 * payment token (a TestToken when none is given), NodeRegistry, DataRegistry (which deploys
 * the DataToken implementation in its constructor), TaskMarket, KeyRegistry (threshold
 * keys) and Clearing, then binds the market to the registry as its only slasher. Each step waits for its receipt so it also works on
 * chains with real block times; the wiring is read back and checked before returning.
 */
import { erc20Abi, getAddress, type Account, type Address, type Hash, type Hex } from 'viem';
import {
  ClearingAbi,
  ClearingBytecode,
  DataRegistryAbi,
  DataRegistryBytecode,
  DataTokenSaleAbi,
  DataTokenSaleBytecode,
  KeyRegistryAbi,
  KeyRegistryBytecode,
  NodeRegistryAbi,
  NodeRegistryBytecode,
  TaskMarketAbi,
  TaskMarketBytecode,
  TestTokenAbi,
  TestTokenBytecode,
} from './artifacts.js';
import { publicClientFor, walletClientFor } from './clients.js';
import { ChainError, DeployError } from './errors.js';
import { MANIFEST_VERSION, validateManifest, type TacitManifest } from './manifest.js';

/** Chain ids of local development chains (anvil/hardhat 31337, ganache/geth --dev 1337). */
export const DEV_CHAIN_IDS: ReadonlySet<number> = new Set([31337, 1337]);

export interface DeployOptions {
  rpcUrl: string;
  /** Deployer: a viem Account or a 0x private key. */
  account: Account | Hex;
  /** Existing ERC-20 for fees and stakes; a TestToken is deployed when omitted. */
  paymentToken?: Address;
  /** Minimum node stake (default 100 tokens of 18 decimals). */
  minStake?: bigint;
  /** Node exit delay in seconds (default 7 days). */
  exitDelay?: number;
  /** Penalty per proven fault (default 50 tokens of 18 decimals). */
  slashAmount?: bigint;
  /** Longest task in seconds (default 3 days; must be below exitDelay). */
  maxTaskDuration?: number;
  /** Put rpcUrl into the manifest (default true). */
  recordRpcUrl?: boolean;
  /** Receipt polling interval in ms (default 100). */
  pollingInterval?: number;
  /** Called before each step with a short description (for CLI progress on stderr). */
  onStep?: (step: string) => void;
}

export const DEFAULT_PARAMETERS = {
  minStake: 100n * 10n ** 18n,
  exitDelay: 7 * 24 * 3600,
  slashAmount: 50n * 10n ** 18n,
  maxTaskDuration: 3 * 24 * 3600,
} as const;

/** Deploys and wires every Tacit contract; returns the validated manifest. Throws DeployError. */
export async function deployTacit(options: DeployOptions): Promise<TacitManifest> {
  const minStake = options.minStake ?? DEFAULT_PARAMETERS.minStake;
  const exitDelay = options.exitDelay ?? DEFAULT_PARAMETERS.exitDelay;
  const slashAmount = options.slashAmount ?? DEFAULT_PARAMETERS.slashAmount;
  const maxTaskDuration = options.maxTaskDuration ?? DEFAULT_PARAMETERS.maxTaskDuration;
  if (!(maxTaskDuration > 0 && maxTaskDuration < exitDelay)) {
    throw new DeployError('maxTaskDuration must be positive and shorter than exitDelay', {
      details: `maxTaskDuration=${maxTaskDuration}s exitDelay=${exitDelay}s`,
      hint: 'a node must not be able to withdraw its stake before a task it accepted can be judged',
    });
  }
  if (minStake <= 0n) throw new DeployError('minStake must be positive');
  const step = options.onStep ?? (() => {});

  let chainId: number;
  try {
    chainId = await publicClientFor({ rpcUrl: options.rpcUrl, chainId: 1 }).getChainId();
  } catch (cause) {
    throw new DeployError(`cannot reach the chain RPC at ${options.rpcUrl}`, {
      hint: 'check the URL and that the node is running',
      cause,
    });
  }
  if (!options.paymentToken && !DEV_CHAIN_IDS.has(chainId)) {
    throw new DeployError(`chain ${chainId} is not a local development chain: a real payment token is required`, {
      hint: 'pass --payment-token 0x… (an ERC-20 on that chain); the mintable TestToken is deployed only on local dev chains (chain id 31337 or 1337)',
    });
  }
  const pub = publicClientFor({ rpcUrl: options.rpcUrl, chainId, pollingInterval: options.pollingInterval });
  const wallet = walletClientFor({
    rpcUrl: options.rpcUrl,
    chainId,
    account: options.account,
    pollingInterval: options.pollingInterval,
  });
  const deployer = wallet.account.address;

  const mined = async (what: string, hash: Hash) => {
    const receipt = await pub.waitForTransactionReceipt({ hash, timeout: 120_000 });
    if (receipt.status !== 'success') throw new DeployError(`${what} reverted`, { details: `transaction ${hash}` });
    return receipt;
  };
  const deployed = async (what: string, hash: Hash) => {
    const receipt = await mined(what, hash);
    if (!receipt.contractAddress) throw new DeployError(`${what} created no contract`, { details: `transaction ${hash}` });
    return { address: getAddress(receipt.contractAddress), block: Number(receipt.blockNumber) };
  };

  try {
    let firstBlock: number | undefined;
    let paymentToken: Address;
    if (options.paymentToken) {
      paymentToken = getAddress(options.paymentToken);
      step(`checking payment token ${paymentToken}`);
      await checkErc20(pub, paymentToken);
    } else {
      step('deploying TestToken (test-only payment token)');
      const r = await deployed(
        'TestToken deployment',
        await wallet.deployContract({ abi: TestTokenAbi, bytecode: TestTokenBytecode }),
      );
      paymentToken = r.address;
      firstBlock = r.block;
    }

    step('deploying NodeRegistry');
    const registry = await deployed(
      'NodeRegistry deployment',
      await wallet.deployContract({
        abi: NodeRegistryAbi,
        bytecode: NodeRegistryBytecode,
        args: [paymentToken, minStake, exitDelay],
      }),
    );
    firstBlock ??= registry.block;

    step('deploying DataRegistry');
    const data = await deployed(
      'DataRegistry deployment',
      await wallet.deployContract({ abi: DataRegistryAbi, bytecode: DataRegistryBytecode, args: [registry.address] }),
    );

    step('deploying TaskMarket');
    const market = await deployed(
      'TaskMarket deployment',
      await wallet.deployContract({
        abi: TaskMarketAbi,
        bytecode: TaskMarketBytecode,
        args: [registry.address, data.address, slashAmount, maxTaskDuration],
      }),
    );

    step('deploying DataTokenSale');
    const sale = await deployed(
      'DataTokenSale deployment',
      await wallet.deployContract({ abi: DataTokenSaleAbi, bytecode: DataTokenSaleBytecode, args: [data.address, paymentToken] }),
    );

    step('deploying KeyRegistry');
    const keys = await deployed('KeyRegistry deployment', await wallet.deployContract({ abi: KeyRegistryAbi, bytecode: KeyRegistryBytecode }));
    step('deploying Clearing');
    const clearing = await deployed('Clearing deployment', await wallet.deployContract({ abi: ClearingAbi, bytecode: ClearingBytecode }));

    step('binding TaskMarket to NodeRegistry');
    await mined(
      'bindTaskMarket',
      await wallet.writeContract({
        address: registry.address,
        abi: NodeRegistryAbi,
        functionName: 'bindTaskMarket',
        args: [market.address],
      }),
    );

    const [bound, implementation] = await Promise.all([
      pub.readContract({ address: registry.address, abi: NodeRegistryAbi, functionName: 'taskMarket' }),
      pub.readContract({ address: data.address, abi: DataRegistryAbi, functionName: 'dataTokenImplementation' }),
    ]);
    if (getAddress(bound) !== market.address) {
      throw new DeployError('NodeRegistry is not bound to the new TaskMarket', {
        details: `bound to ${bound}, expected ${market.address}`,
      });
    }

    return validateManifest({
      version: MANIFEST_VERSION,
      chainId,
      ...(options.recordRpcUrl === false ? {} : { rpcUrl: options.rpcUrl }),
      deployer,
      block: firstBlock,
      contracts: {
        NodeRegistry: registry.address,
        DataRegistry: data.address,
        TaskMarket: market.address,
        DataTokenSale: sale.address,
        PaymentToken: paymentToken,
        DataTokenImplementation: getAddress(implementation),
        KeyRegistry: keys.address,
        Clearing: clearing.address,
      },
      testPaymentToken: options.paymentToken === undefined,
      parameters: {
        minStake: minStake.toString(),
        exitDelay,
        slashAmount: slashAmount.toString(),
        maxTaskDuration,
      },
      deployedAt: new Date().toISOString(),
    });
  } catch (err) {
    if (err instanceof ChainError) throw err;
    const short = (err as { shortMessage?: string }).shortMessage ?? (err as Error).message;
    throw new DeployError(`deployment failed: ${short}`, {
      hint: /insufficient funds|exceeds the balance/i.test(short) ? `fund the deployer ${deployer} with the chain's native currency` : undefined,
      cause: err,
    });
  }
}

async function checkErc20(pub: ReturnType<typeof publicClientFor>, token: Address): Promise<void> {
  const code = await pub.getCode({ address: token });
  if (!code || code === '0x') {
    throw new DeployError(`no contract at payment token address ${token}`, {
      hint: 'pass the address of an ERC-20 on this chain, or omit --payment-token to deploy a test token',
    });
  }
  try {
    await pub.readContract({ address: token, abi: erc20Abi, functionName: 'totalSupply' });
  } catch (cause) {
    throw new DeployError(`the contract at ${token} does not behave like an ERC-20 (totalSupply failed)`, { cause });
  }
}
