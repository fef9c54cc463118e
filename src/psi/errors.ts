/**
 * PSI errors. Like every Tacit error they name parties, steps, option names, indices and
 * sizes — never an id, a point or a key: an id in a log line is exactly the leak PSI exists
 * to prevent.
 *
 * `PsiPeerError` is a network-layer `PeerError` (`peer`, `step`), so a caller can report
 * "institution B sent a bad batch at psi.c1.1" without knowing which layer noticed.
 */
import { TacitError, type TacitErrorOptions } from '../errors.js';
import { PeerError } from '../net/errors.js';

export class PsiError extends TacitError {
  override name = 'PsiError';
}

/** Bad options or input at this party (nothing was sent yet, or the input broke a rule). */
export class PsiUsageError extends PsiError {
  override name = 'PsiUsageError';
}

/** Something a peer did broke the protocol. */
export class PsiPeerError extends PeerError {
  override name = 'PsiPeerError';
}

/** A message of the wrong size, a value that is not a canonical curve point, an id outside our set. */
export class PsiMalformedMessageError extends PsiPeerError {
  override name = 'PsiMalformedMessageError';
  constructor(peer: string, step: string, problem: string, options: TacitErrorOptions = {}) {
    super(`Malformed PSI message from peer '${peer}': ${problem}`, peer, step, {
      hint: 'Both parties must run the same Tacit version; a well-behaved peer never sends this, so treat it as a fault or an attack and restart the session.',
      ...options,
    });
  }
}

/** The peer runs PSI with other parameters (parties, receivers, mode or protocol version). */
export class PsiConfigMismatchError extends PsiPeerError {
  override name = 'PsiConfigMismatchError';
  constructor(peer: string, step: string, problem: string, options: TacitErrorOptions = {}) {
    super(`PSI parameters differ from peer '${peer}': ${problem}`, peer, step, {
      hint: 'Every party must call runPsi with the same parties (same order), receivers and cardinalityOnly.',
      ...options,
    });
  }
}

/** The caller's AbortSignal fired. */
export class PsiAbortedError extends PsiError {
  override name = 'PsiAbortedError';
}
