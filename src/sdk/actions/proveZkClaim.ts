/**
 * Proves a claim (src/zk/claims.ts) with the local prover process: compiles the circuit and
 * sets up its keys on first use (cached), or uses the keys of a network ceremony when given.
 * Needs the optional snarkjs + circom2 packages (ZkToolsMissingError says how to add them).
 */
import { claimCircuit, splitPublicSignals, type Claim } from '../../zk/claims.js';
import { circuitKey } from '../../zk/circuits/circuit.js';
import { ProcessProver, type Groth16Proof, type Prover, type VerificationKey } from '../../zk/prover.js';
import { localSetup } from '../../zk/setup.js';

export interface ProveZkClaimParameters {
  claim: Claim;
  prover?: Prover;
  /** Keys from the network's ceremony; a local setup (development only) when omitted. */
  keys?: { zkey: string; wasm: string; vk: VerificationKey };
}

export interface ProveZkClaimReturnType {
  circuit: string;
  /** bytes32 id of the circuit in ZkClaims. */
  circuitId: `0x${string}`;
  proof: Groth16Proof;
  publicSignals: string[];
  commitments: bigint[];
  statement: bigint[];
  vk: VerificationKey;
  proveSeconds: number;
}

/** @example const p = await proveZkClaim({ claim: { kind: 'row-count', data, minRows: 1000 } }); */
export async function proveZkClaim(p: ProveZkClaimParameters): Promise<ProveZkClaimReturnType> {
  const prover = p.prover ?? new ProcessProver();
  const { spec, input } = claimCircuit(p.claim);
  const keys = p.keys ?? (await (async () => {
    const k = await localSetup(prover, spec);
    return { zkey: k.zkey, wasm: k.circuit.wasm, vk: k.vk };
  })());
  const r = await prover.prove(keys.wasm, keys.zkey, input);
  return { circuit: spec.id, circuitId: circuitKey(spec), proof: r.proof, publicSignals: r.publicSignals, ...splitPublicSignals(spec, r.publicSignals), vk: keys.vk, proveSeconds: r.seconds };
}
