/**
 * ZkClaims with claims recorded, without a prover: for tests of what reads ZkClaims' records
 * (the console's Proofs page), not of proofs. ZkCeremony and ZkClaims are the real contracts
 * and the ceremony is really recorded, but the circuit's verifier accepts every proof (10
 * bytes of EVM code). Real Groth16 proofs through ZkClaims: test/zk/claims-chain.test.ts.
 */
import type { Account, Address, Hex, TransactionReceipt } from 'viem';
import { ZkClaimsAbi } from '../../src/chain/artifacts.js';
import { devAccount } from '../../src/chain/dev-accounts.js';
import { ZkChain } from '../../src/chain/zk-ledger.js';

/** Runtime code `return uint256(1)` for any call, behind its 12-byte deployer. */
const ACCEPT_ALL = '0x600a600c600039600a6000f3600160005260206000f3' as Hex;

export interface AcceptAllClaims {
  zk: ZkChain;
  circuitId: Hex;
  ceremonyId: Hex;
  verifier: Address;
  /** Registers `commitment` under `key` for `from`, then submits a claim on it with `statement`. */
  claim(from: Account, key: Hex, commitment: bigint, statement: bigint[]): Promise<TransactionReceipt>;
}

/** Deploys ZkCeremony + ZkClaims (admin: dev account 0) and registers one one-commitment circuit. */
export async function deployAcceptAllClaims(rpcUrl: string): Promise<AcceptAllClaims> {
  const admin = devAccount(0);
  const zk = await ZkChain.deploy(rpcUrl, admin);
  const ceremonyId = `0x${'c1'.repeat(32)}` as Hex;
  const participant = devAccount(7);
  zk.addAccount(participant);
  const ceremony = zk.ceremonyLedger(admin.address);
  await ceremony.start(ceremonyId, `0x${'01'.repeat(32)}`, [participant.address]);
  await ceremony.contribute(ceremonyId, participant.address, `0x${'01'.repeat(32)}`, `0x${'02'.repeat(32)}`);
  await ceremony.finalize(ceremonyId, `0x${'03'.repeat(32)}`);
  const verifier = (await zk.tx(admin.address, 'deploy accept-all', (w) => w.deployContract({ abi: [], bytecode: ACCEPT_ALL }))).contractAddress!;
  const circuitId = `0x${'ab'.repeat(32)}` as Hex;
  await zk.tx(admin.address, 'registerCircuit', (w) => w.writeContract({ address: zk.deployment.claims, abi: ZkClaimsAbi, functionName: 'registerCircuit', args: [circuitId, verifier, 1, ceremonyId] }));
  return {
    zk, circuitId, ceremonyId, verifier,
    async claim(from, key, commitment, statement) {
      zk.addAccount(from);
      await zk.registerCommitment(from.address, key, commitment);
      return zk.tx(from.address, 'submitClaim', (w) =>
        w.writeContract({ address: zk.deployment.claims, abi: ZkClaimsAbi, functionName: 'submitClaim', args: [circuitId, [{ committer: from.address, key }], statement, [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]] }),
      );
    },
  };
}
