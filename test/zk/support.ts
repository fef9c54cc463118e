/**
 * Shared by the zk tests: one prover process handle, and the reason to skip when the optional
 * GPL tools (snarkjs, circom2) are not installed — CI installs optional dependencies (npm ci),
 * so there the tests run.
 */
import { ZkToolsMissingError } from '../../src/zk/errors.js';
import { ProcessProver } from '../../src/zk/prover.js';

export const prover = new ProcessProver();

/** false when the tools are present, else the reason to skip. */
export async function zkSkipReason(): Promise<string | false> {
  try {
    await prover.probe();
    return false;
  } catch (err) {
    if (err instanceof ZkToolsMissingError) return `${err.shortMessage} (${err.hint})`;
    throw err;
  }
}
