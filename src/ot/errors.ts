/** Errors of the OT layer: a peer that sent something malformed or failed a check. */
import { TacitError } from '../errors.js';

/** A peer's OT message cannot be parsed or is the wrong size. */
export class OtProtocolError extends TacitError {
  override name = 'OtProtocolError';
}

/**
 * The KOS consistency check failed: the OT receiver used different choice bits in
 * different columns, which a correct party never does. The session must be aborted.
 */
export class OtConsistencyError extends TacitError {
  override name = 'OtConsistencyError';
}
