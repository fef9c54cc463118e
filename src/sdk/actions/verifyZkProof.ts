/** Verifies a Groth16 proof off-chain with the prover process (the same check the verifier contract makes). */
import { ProcessProver, type Groth16Proof, type Prover, type VerificationKey } from '../../zk/prover.js';

/** @example const ok = await verifyZkProof({ vk, proof, publicSignals }); */
export async function verifyZkProof(p: { vk: VerificationKey; proof: Groth16Proof; publicSignals: string[]; prover?: Prover }): Promise<boolean> {
  return (p.prover ?? new ProcessProver()).verify(p.vk, p.proof, p.publicSignals);
}
