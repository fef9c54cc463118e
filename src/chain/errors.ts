/**
 * Named errors of the chain layer. Each says what went wrong in words a node operator can
 * act on, with a hint; none ever carries a private key, a passphrase or raw RPC payloads.
 */
import { TacitError, type TacitErrorOptions } from '../errors.js';

/** Base of every chain-layer error. */
export class ChainError extends TacitError {
  override name = 'ChainError';
}

/** The anvil binary of `@foundry-rs/anvil` could not be found for this platform. */
export class AnvilNotFoundError extends ChainError {
  override name = 'AnvilNotFoundError';
}

/** The requested loopback port is already taken. */
export class PortInUseError extends ChainError {
  override name = 'PortInUseError';
  readonly port: number;
  constructor(port: number, options: TacitErrorOptions = {}) {
    super(`port ${port} on 127.0.0.1 is already in use`, {
      hint: 'stop whatever listens there, or omit --port to pick a free one',
      ...options,
    });
    this.port = port;
  }
}

/** The embedded chain did not start or did not become ready. */
export class ChainStartError extends ChainError {
  override name = 'ChainStartError';
}

/** A deployment manifest is missing, unreadable or malformed. */
export class ManifestError extends ChainError {
  override name = 'ManifestError';
}

/** Deploying the Tacit contracts failed. */
export class DeployError extends ChainError {
  override name = 'DeployError';
}
