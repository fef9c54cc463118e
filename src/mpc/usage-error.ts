/**
 * The error for a program that misuses the MPC engine (shapes that differ, a party that is
 * not in the session, a wrong dtype). It lives in its own module so that every part of the
 * engine — session setup, tensor layout, the `Mpc` class — can throw it without importing
 * the class that uses those parts.
 */
import { TacitError } from '../errors.js';

export class MpcUsageError extends TacitError {
  override name = 'MpcUsageError';
}
