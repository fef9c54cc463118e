/**
 * The TypeScript side of contracts/CommitReveal.sol: the commitment a compute party sends
 * with `TaskMarket.commit` and opens with `reveal`, computed exactly as the contract does
 * (keccak256 of the ABI encoding of market, chain id, task, party, claims and salt), and the
 * link digest both endpoints of a session link compute for themselves.
 *
 * A claim is P_ij = SHA-256("tacit link v1" ‖ lo ‖ hi ‖ H(messages lo→hi) ‖ H(messages hi→lo))
 * where lo < hi are the two parties' ids and H is the running transcript hash of one
 * direction (src/node/tasks/transcript.ts). Messages between compute parties are shares
 * masked with fresh randomness, so a revealed P_ij tells nothing about inputs or outputs;
 * until the reveal even that is hidden by the 256-bit salt (Blum's commit–reveal).
 */
import { createHash, randomBytes } from 'node:crypto';
import { encodeAbiParameters, keccak256, type Address, type Hex } from 'viem';

export interface CommitOpening {
  /** One link digest per other compute party, in compute-party order. */
  claims: Hex[];
  salt: Hex;
}

/** keccak256(abi.encode(market, chainId, taskId, party, claims, salt)) — CommitReveal.commitment. */
export function commitmentOf(market: Address, chainId: number, taskId: bigint, party: Address, o: CommitOpening): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'address' }, { type: 'uint256' }, { type: 'uint256' }, { type: 'address' }, { type: 'bytes32[]' }, { type: 'bytes32' }],
      [market, BigInt(chainId), taskId, party, o.claims, o.salt],
    ),
  );
}

export function freshSalt(): Hex {
  return `0x${randomBytes(32).toString('hex')}`;
}

/** P_ij from the two directions' transcript hashes; the same at both endpoints. */
export function linkDigest(a: string, b: string, aToB: Uint8Array, bToA: Uint8Array): Hex {
  const [lo, hi, loHi, hiLo] = a < b ? [a, b, aToB, bToA] : [b, a, bToA, aToB];
  const h = createHash('sha256').update('tacit link v1\n').update(`${lo}\n${hi}\n`).update(loHi).update(hiLo);
  return `0x${h.digest('hex')}`;
}

/** Reason codes of `TaskMarket.refuse` (documented in docs/contracts.md). */
export const RefusalCode = {
  Other: 0,
  Policy: 1,
  Program: 2,
  Parameters: 3,
  Data: 4,
  Deadline: 5,
  Guard: 6,
  Fee: 7,
  Protocol: 8,
} as const;

/** Phases and reasons of `TaskMarket.reportFailure`. */
export const FailurePhase = { Connect: 1, Compute: 2, Deliver: 3 } as const;
export const FailureReason = { Disconnected: 1, Timeout: 2, Malformed: 3, Auth: 4, Aborted: 5, Local: 6 } as const;

/** `Fault` of TaskMarket.TaskPartySlashed. */
export const FAULTS = ['None', 'Silent', 'BlamedByReports', 'BlamedByClaims'] as const;

/** Party `i`'s claims (one per other party `j`, in order) from a digest per unordered pair. */
export function claimsOf(i: number, n: number, pair: (lo: number, hi: number) => Hex): Hex[] {
  const out: Hex[] = [];
  for (let j = 0; j < n; j++) if (j !== i) out.push(pair(Math.min(i, j), Math.max(i, j)));
  return out;
}
