/**
 * Typed errors of the homomorphic-encryption layer. Messages name sizes and checks only,
 * never a plaintext, a ciphertext or a key.
 */
import { TacitError } from '../errors.js';

/** A key (public or private) that is malformed, too small or inconsistent. */
export class HeKeyError extends TacitError {
  override name = 'HeKeyError';
}

/** A ciphertext that is not an element of Z*_{n²} for this key, or of the wrong length. */
export class HeCiphertextError extends TacitError {
  override name = 'HeCiphertextError';
}

/** A value that does not fit the plaintext space or the chosen fixed-point / packing layout. */
export class HeEncodingError extends TacitError {
  override name = 'HeEncodingError';
}
