/**
 * Tacit's zero-knowledge contracts on a chain: deploys ZkCeremony and ZkClaims, records a
 * ceremony's transcript (the `CeremonyLedger` of src/zk/ceremony.ts, each participant
 * sending from its own account), deploys a circuit's generated verifier and registers it,
 * registers commitments and submits claims. Reverts come back as TransactionRevertedError
 * with the contract's custom error name.
 */
import { encodeAbiParameters, encodeFunctionData, keccak256, parseEventLogs, type Account, type Address, type Hash, type Hex, type TransactionReceipt } from 'viem';
import type { CompiledCircuit } from '../zk/artifacts.js';
import { runPhase2, type Bytes32, type CeremonyLedger, type Phase2Files } from '../zk/ceremony.js';
import { circuitKey } from '../zk/circuits/circuit.js';
import type { Groth16Proof, Prover, VerificationKey } from '../zk/prover.js';
import { ZkCeremonyAbi, ZkCeremonyBytecode, ZkClaimsAbi, ZkClaimsBytecode } from './artifacts.js';
import { publicClientFor, walletClientFor, type TacitPublicClient, type TacitWalletClient } from './clients.js';
import { ChainError } from './errors.js';
import { TransactionRevertedError } from './local-ledger.js';
import { decodeRevert } from './revert.js';
import { compileVerifier, proofToCalldata, renderVerifier } from './zk-verifier.js';

/** A claim's reference to a commitment: registered by `committer` under `key`, or recorded by a source contract. */
export interface CommitmentRef {
  committer: Address;
  key: Bytes32;
}

/** The reference to a settled task's result commitment, recorded by its receiver on the TaskMarket. */
export function taskResultRef(taskMarket: Address, taskId: bigint): CommitmentRef {
  return { committer: taskMarket, key: `0x${taskId.toString(16).padStart(64, '0')}` };
}

/** The key under which a data owner registers its dataset's Poseidon commitment in ZkClaims (one per registry and dataset). */
export function datasetCommitmentKey(dataRegistry: Address, datasetId: bigint): Bytes32 {
  return keccak256(encodeAbiParameters([{ type: 'string' }, { type: 'address' }, { type: 'uint256' }], ['tacit.dataset.zk.v1', dataRegistry, datasetId]));
}

/** The id ZkClaims records a claim under: keccak256(abi.encode(circuitId, inputs)). */
export function claimIdOf(circuitId: Bytes32, inputs: readonly bigint[]): Hex {
  return keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256[]' }], [circuitId, [...inputs]]));
}

export interface ZkDeployment {
  ceremony: Address;
  claims: Address;
}

/** Signs for accounts on one chain: every send waits for its receipt and decodes reverts. */
export class ZkChain {
  readonly pub: TacitPublicClient;
  private readonly wallets = new Map<Address, TacitWalletClient>();
  private readonly accounts = new Map<Address, Account>();

  constructor(readonly rpcUrl: string, readonly chainId: number, readonly deployment: ZkDeployment, accounts: readonly Account[] = []) {
    this.pub = publicClientFor({ rpcUrl, chainId, pollingInterval: 20 });
    for (const a of accounts) this.accounts.set(a.address, a);
  }

  /** Deploys ZkCeremony and ZkClaims (the deployer becomes the ZkClaims admin). */
  static async deploy(rpcUrl: string, admin: Account): Promise<ZkChain> {
    const pub = publicClientFor({ rpcUrl, chainId: 1 });
    const chainId = await pub.getChainId();
    const bootstrap = new ZkChain(rpcUrl, chainId, { ceremony: '0x0000000000000000000000000000000000000000', claims: '0x0000000000000000000000000000000000000000' }, [admin]);
    const ceremony = await bootstrap.deployCode(admin, 'ZkCeremony', (w) => w.deployContract({ abi: ZkCeremonyAbi, bytecode: ZkCeremonyBytecode as Hex }));
    const claims = await bootstrap.deployCode(admin, 'ZkClaims', (w) => w.deployContract({ abi: ZkClaimsAbi, bytecode: ZkClaimsBytecode as Hex, args: [ceremony] }));
    return new ZkChain(rpcUrl, chainId, { ceremony, claims }, [admin]);
  }

  addAccount(account: Account): void {
    this.accounts.set(account.address, account);
  }

  private wallet(address: Address): TacitWalletClient {
    let w = this.wallets.get(address);
    if (!w) {
      const account = this.accounts.get(address);
      if (!account) throw new ChainError(`no signing account for ${address}`, { hint: 'pass the account to ZkChain (addAccount)' });
      w = walletClientFor({ rpcUrl: this.rpcUrl, chainId: this.chainId, account, pollingInterval: 20 });
      this.wallets.set(address, w);
    }
    return w;
  }

  async tx(from: Address, what: string, send: (w: TacitWalletClient) => Promise<Hash>): Promise<TransactionReceipt> {
    let hash: Hash;
    try {
      hash = await send(this.wallet(from));
    } catch (err) {
      const d = decodeRevert(err);
      if (d) throw new TransactionRevertedError(what, d.name, d.args, err);
      throw err;
    }
    const receipt = await this.pub.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new TransactionRevertedError(what, undefined, [], undefined);
    return receipt;
  }

  private async deployCode(from: Account, what: string, send: (w: TacitWalletClient) => Promise<Hash>): Promise<Address> {
    const r = await this.tx(from.address, `deploy ${what}`, send);
    if (!r.contractAddress) throw new ChainError(`deploying ${what} gave no contract address`);
    return r.contractAddress;
  }

  /** The on-chain side of a ceremony, sending from each participant's own account. */
  ceremonyLedger(coordinator: Address): CeremonyLedger {
    const address = this.deployment.ceremony;
    return {
      start: async (id, initialHash, participants) => {
        await this.tx(coordinator, 'ZkCeremony.start', (w) => w.writeContract({ address, abi: ZkCeremonyAbi, functionName: 'start', args: [id, initialHash, participants as Address[]] }));
      },
      contribute: async (id, participant, previousHash, hash) => {
        await this.tx(participant as Address, 'ZkCeremony.contribute', (w) => w.writeContract({ address, abi: ZkCeremonyAbi, functionName: 'contribute', args: [id, previousHash, hash] }));
      },
      finalize: async (id, finalHash) => {
        await this.tx(coordinator, 'ZkCeremony.finalize', (w) => w.writeContract({ address, abi: ZkCeremonyAbi, functionName: 'finalize', args: [id, finalHash] }));
      },
      transcript: async (id) => {
        const [, , hashes, finalHash] = await this.pub.readContract({ address, abi: ZkCeremonyAbi, functionName: 'transcript', args: [id] });
        return { hashes: [...hashes] as Bytes32[], finalHash: /^0x0+$/.test(finalHash) ? null : (finalHash as Bytes32) };
      },
    };
  }

  /** Renders, compiles and deploys the verifier of `vk`, then registers it for `circuitId` (admin only). */
  async registerCircuit(admin: Address, circuitId: Bytes32, vk: VerificationKey, commitmentInputs: number, ceremonyId: Bytes32): Promise<Address> {
    const verifier = await this.deployVerifier(admin, vk);
    await this.tx(admin, 'ZkClaims.registerCircuit', (w) =>
      w.writeContract({ address: this.deployment.claims, abi: ZkClaimsAbi, functionName: 'registerCircuit', args: [circuitId, verifier, commitmentInputs, ceremonyId] }),
    );
    return verifier;
  }

  /** Renders, compiles and deploys the verifier contract of `vk`. */
  async deployVerifier(from: Address, vk: VerificationKey): Promise<Address> {
    const compiled = compileVerifier(renderVerifier(vk));
    const r = await this.tx(from, 'deploy Groth16Verifier', (w) => w.deployContract({ abi: compiled.abi as [], bytecode: compiled.bytecode }));
    if (!r.contractAddress) throw new ChainError('deploying the verifier gave no contract address');
    return r.contractAddress;
  }

  /**
   * Calls a verifier directly: its answer (eth_call), and the gas a transaction calling it
   * used (21,000 base + calldata + execution). Gas is measured with a real transaction, not
   * eth_estimateGas: a verifier returns false instead of reverting when the pairing
   * precompile runs out of gas, so an estimate would find the cheapest *failing* call.
   */
  async callVerifier(from: Address, verifier: Address, inputs: readonly bigint[], proof: Groth16Proof): Promise<{ valid: boolean; gas: bigint }> {
    const data = encodeVerify(inputs, proof);
    const { data: ret } = await this.pub.call({ to: verifier, data, gas: 5_000_000n });
    const valid = ret !== undefined && BigInt(ret) === 1n;
    const r = await this.tx(from, 'verifyProof', (w) => w.sendTransaction({ to: verifier, data, gas: 1_000_000n }));
    return { valid, gas: r.gasUsed };
  }

  /** Lets claims reference commitments a contract records itself (the TaskMarket's task results). Admin only. */
  async registerSource(admin: Address, source: Address): Promise<void> {
    await this.tx(admin, 'ZkClaims.registerSource', (w) => w.writeContract({ address: this.deployment.claims, abi: ZkClaimsAbi, functionName: 'registerSource', args: [source] }));
  }

  async registerCommitment(committer: Address, key: Bytes32, commitment: bigint): Promise<void> {
    await this.tx(committer, 'ZkClaims.registerCommitment', (w) =>
      w.writeContract({ address: this.deployment.claims, abi: ZkClaimsAbi, functionName: 'registerCommitment', args: [key, commitment] }),
    );
  }

  async commitmentOf(committer: Address, key: Bytes32): Promise<bigint> {
    return this.pub.readContract({ address: this.deployment.claims, abi: ZkClaimsAbi, functionName: 'commitmentOf', args: [committer, key] });
  }

  /** Submits a claim; returns the claim id and the gas the transaction used. Reverts with ZkClaimsInvalidProof when it does not verify. */
  async submitClaim(
    from: Address,
    circuitId: Bytes32,
    refs: readonly { committer: Address; key: Bytes32 }[],
    statement: readonly bigint[],
    proof: Groth16Proof,
  ): Promise<{ claimId: Hex; gasUsed: bigint; txHash: Hash }> {
    const r = await this.tx(from, 'ZkClaims.submitClaim', (w) =>
      w.writeContract({ address: this.deployment.claims, abi: ZkClaimsAbi, functionName: 'submitClaim', args: [circuitId, [...refs], [...statement], proofToCalldata(proof)] }),
    );
    const [log] = parseEventLogs({ abi: ZkClaimsAbi, logs: r.logs, eventName: 'ClaimVerified' });
    if (!log) throw new ChainError('submitClaim emitted no ClaimVerified event');
    return { claimId: log.args.claimId, gasUsed: r.gasUsed, txHash: r.transactionHash };
  }

  async claim(claimId: Hex) {
    return this.pub.readContract({ address: this.deployment.claims, abi: ZkClaimsAbi, functionName: 'claim', args: [claimId] });
  }
}

const verifyAbi = [{ type: 'function', name: 'verifyProof', stateMutability: 'view', inputs: [{ name: 'proof', type: 'uint256[8]' }, { name: 'inputs', type: 'uint256[]' }], outputs: [{ name: '', type: 'bool' }] }] as const;
function encodeVerify(inputs: readonly bigint[], proof: Groth16Proof): Hex {
  return encodeFunctionData({ abi: verifyAbi, functionName: 'verifyProof', args: [proofToCalldata(proof), [...inputs]] });
}

/**
 * Phase 2 of `circuit` on-chain among `participants` (each contribution in its own prover
 * process, recorded from the participant's account), then the verifier registered in
 * ZkClaims under the circuit's on-chain id. Returns the keys and the ceremony id.
 */
export async function setupCircuitOnChain(
  zk: ZkChain,
  prover: Prover,
  options: { admin: Address; circuit: CompiledCircuit; ptauFinal: string; participants: readonly Address[]; dir: string },
): Promise<{ ceremonyId: Bytes32; circuitId: Bytes32; zkey: string; vk: VerificationKey; files: Phase2Files; verifier: Address }> {
  const ledger = zk.ceremonyLedger(options.admin);
  const p2 = await runPhase2(prover, ledger, { dir: options.dir, circuit: options.circuit, ptauFinal: options.ptauFinal, participants: options.participants });
  const circuitId = circuitKey(options.circuit.spec);
  const verifier = await zk.registerCircuit(options.admin, circuitId, p2.vk, options.circuit.spec.commitmentInputs, p2.id);
  return { ceremonyId: p2.id, circuitId, zkey: p2.files.final, vk: p2.vk, files: p2.files, verifier };
}
