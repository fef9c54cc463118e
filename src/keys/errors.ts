/**
 * Errors of the key ceremonies. A ceremony either finishes at every member or aborts at
 * every member, and an abort names who caused it when that can be attributed: a member that
 * sent a share failing its Feldman check, a bad proof of knowledge, an invalid nonce
 * commitment or signature share (`MisbehavingMemberError`), or one that went silent or
 * dropped its connection (`SilentMemberError`). Messages carry member names and step
 * labels only — never shares, nonces or keys.
 */
import { TacitError, type TacitErrorOptions } from '../errors.js';

export class KeyError extends TacitError {
  override name = 'KeyError';
}

/** Bad parameters or state (threshold out of range, unknown key, wrong epoch …): fix the call. */
export class KeyUsageError extends KeyError {
  override name = 'KeyUsageError';
}

/** One or more members provably deviated from the protocol; the ceremony aborted. */
export class MisbehavingMemberError extends KeyError {
  override name = 'MisbehavingMemberError';
  readonly culprits: string[];
  readonly step: string;
  constructor(culprits: string[], step: string, what: string, options: TacitErrorOptions = {}) {
    super(`member${culprits.length > 1 ? 's' : ''} ${culprits.join(', ')} misbehaved at ${step}: ${what}`, {
      hint: 'The ceremony aborted and nothing was stored; exclude the named member(s) or investigate their node, then run it again.',
      ...options,
    });
    this.culprits = [...culprits].sort();
    this.step = step;
  }
}

/** A member did not answer in time or its connection dropped; the ceremony aborted. */
export class SilentMemberError extends KeyError {
  override name = 'SilentMemberError';
  readonly member: string;
  readonly step: string;
  constructor(member: string, step: string, why: string, options: TacitErrorOptions = {}) {
    super(`member ${member} ${why} at ${step}`, {
      hint: 'The ceremony aborted and nothing was stored; check that member\'s node, then run it again.',
      ...options,
    });
    this.member = member;
    this.step = step;
  }
}
