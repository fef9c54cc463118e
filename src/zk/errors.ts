/**
 * Errors of the zero-knowledge layer. `ZkToolsMissingError` is the one users meet first: the
 * GPL-3.0 prover tools are optional dependencies, so a Tacit installed without them works
 * for everything except proving and ceremonies, and says how to add them.
 */
import { TacitError, type TacitErrorOptions } from '../errors.js';

export class ZkError extends TacitError {
  override name = 'ZkError';
}

/** snarkjs / circom2 are not installed (they are optional, GPL-3.0, used only by prover/). */
export class ZkToolsMissingError extends ZkError {
  override name = 'ZkToolsMissingError';
  constructor(details?: string) {
    super('zero-knowledge proving needs the optional packages snarkjs and circom2, which are not installed', {
      details,
      hint: 'run `npm install --include=optional` (or `npm install snarkjs circom2`) in the Tacit directory; they are GPL-3.0 and run only in the separate prover process (prover/prover.mjs)',
    });
  }
}

/** The private inputs do not satisfy the circuit: the claimed statement is false for them. */
export class ZkWitnessError extends ZkError {
  override name = 'ZkWitnessError';
}

/** A claim's inputs are malformed (wrong sizes, out-of-range numbers, unknown column). */
export class ZkInputError extends ZkError {
  override name = 'ZkInputError';
  constructor(message: string, options: TacitErrorOptions = {}) {
    super(message, options);
  }
}

/** The prover process failed for another reason (crash, compile error, bad file). */
export class ZkProverError extends ZkError {
  override name = 'ZkProverError';
}

/** A ceremony transcript does not verify: a contribution is invalid or does not match the chain. */
export class ZkCeremonyError extends ZkError {
  override name = 'ZkCeremonyError';
}

/** A column to commit holds something that is not a finite number (like CsvError: names the rows, not the values). */
export class ZkColumnError extends ZkError {
  override name = 'ZkColumnError';
}
