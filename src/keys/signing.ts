/**
 * FROST signing (RFC 9591 §5) arranged for a network of members (the arithmetic in
 * frost-core.ts; nonces by §4.1 `nonce_generate` with the commitments d·G, e·G computed by
 * OpenSSL's constant-time ladder, ec.ts — the same values noble's `commit` gives, checked
 * against the RFC's E.5 vectors):
 * nonces are made ahead of time in batches (§5.1 `commit`, run "preprocessing" style as in
 * the FROST paper, Komlo & Goldberg 2020 §5.3), so a signature needs one round once the
 * commitments are known; every signer checks every commitment it is given and every share
 * it receives (§5.4 `verify_signature_share`), so a member that sends an invalid
 * commitment or a wrong share is named, not merely detected.
 */
import type { FrostSecret } from '@noble/curves/abstract/frost.js';
import { randomBytes } from 'node:crypto';
import { InvalidPointError, baseMul, firstInvalidPoint } from './ec.js';
import { MisbehavingMemberError } from './errors.js';
import { aggregateWith, signShareWith, signingPackage, verifyShareWith, type ParsedCommitment, type SigningPackage } from './frost-core.js';
import { memberOf, type GroupKeyInfo } from './group-key.js';
import { FROST, fromHex, hashToScalar, identifierScalar, pointToHex, scalarToHex, tryScalar } from './suite.js';

/** A nonce commitment as members store and exchange it: [hiding, binding], compressed hex. */
export type CommitmentPair = [string, string];

export interface NonceBatch {
  /** Secret nonce pairs, index → [hiding, binding] scalars (hex). */
  secrets: Record<number, [string, string]>;
  commitments: Record<number, CommitmentPair>;
}

/**
 * RFC 9591 §4.1 nonce_generate: H3(random_bytes ‖ SerializeScalar(secret)), 32 fresh random
 * bytes unless given (the RFC's vectors give them). A zero nonce (probability ~2^-256) is
 * drawn again.
 */
export function nonceGenerate(signingShare: Uint8Array, randomness?: Uint8Array): bigint {
  for (;;) {
    const k = hashToScalar('nonce', randomness ?? randomBytes(32), signingShare);
    if (k !== 0n || randomness) return k;
  }
}

/** Makes `count` fresh nonce pairs with indices start..start+count-1 (RFC 9591 §5.1 commit()). */
export function makeNonceBatch(secret: FrostSecret, start: number, count: number): NonceBatch {
  const out: NonceBatch = { secrets: {}, commitments: {} };
  const share = secret.signingShare;
  for (let i = 0; i < count; i++) {
    const d = nonceGenerate(share);
    const e = nonceGenerate(share);
    out.secrets[start + i] = [scalarToHex(d), scalarToHex(e)];
    out.commitments[start + i] = [pointToHex(baseMul(d)), pointToHex(baseMul(e))];
  }
  return out;
}

/**
 * The signing package (RFC 9591 §4.4–4.6) over the signers' commitments, naming every signer
 * whose commitment is malformed or not a pair of curve points. The points are decoded once,
 * inside the group commitment's multi-scalar multiplication; only when that refuses one are
 * the pairs checked one by one to name their senders.
 */
export function signingPackageOf(info: GroupKeyInfo, bySigner: Map<string, CommitmentPair | undefined>, message: Uint8Array, step: string): SigningPackage {
  const bad: string[] = [];
  const list: (ParsedCommitment & { name: string })[] = [];
  for (const [name, pair] of bySigner) {
    const m = info.members.find((x) => x.name === name)!;
    const ok = Array.isArray(pair) && pair.length === 2 && pair.every((h) => typeof h === 'string' && /^0[23][0-9a-fA-F]{64}$/.test(h));
    if (ok) list.push({ id: identifierScalar(m.identifier), hidingBytes: fromHex(pair[0]), bindingBytes: fromHex(pair[1]), name });
    else bad.push(name);
  }
  const blame = () => new MisbehavingMemberError(bad, step, 'sent a nonce commitment that is not a valid curve point');
  if (bad.length) throw blame();
  try {
    return signingPackage(info.groupKey, list, message);
  } catch (e) {
    if (!(e instanceof InvalidPointError)) throw e;
    for (const c of list) if (firstInvalidPoint([c.hidingBytes, c.bindingBytes]) !== -1) bad.push(c.name);
    throw blame();
  }
}

/** A stored scalar (this member's own nonce, hex); throws when it is not canonical. */
function scalarOf(hex: string): bigint {
  const k = tryScalar(hex);
  if (k === null) throw new TypeError('expected a canonical scalar');
  return k;
}

/** This member's signature share z_i (RFC 9591 §5.2). */
export function signShare(pkg: SigningPackage, info: GroupKeyInfo, self: string, share: bigint, nonces: [string, string]): string {
  const id = identifierScalar(memberOf(info, self).identifier);
  return scalarToHex(signShareWith(pkg, id, share, scalarOf(nonces[0]), scalarOf(nonces[1])));
}

/**
 * Aggregates (RFC 9591 §5.3); if the sum does not verify, checks every share (§5.4) and names
 * the signers whose shares fail. Returns the 65-byte signature R ‖ z, which verifies.
 */
export function aggregateChecked(pkg: SigningPackage, info: GroupKeyInfo, shares: Map<string, string | undefined>, step: string): Uint8Array {
  const parsed = new Map<string, bigint>();
  const bad: string[] = [];
  for (const [name, hex] of shares) {
    const z = tryScalar(hex);
    if (z === null) bad.push(name);
    else parsed.set(name, z);
  }
  if (bad.length) throw new MisbehavingMemberError(bad, step, 'sent a malformed signature share');
  const sig = aggregateWith(pkg, [...parsed.values()]);
  if (sig) return sig;
  const cheaters = [...parsed].filter(([name, z]) => {
    const m = memberOf(info, name);
    return !verifyShareWith(pkg, identifierScalar(m.identifier), fromHex(m.verifyingShare), z);
  });
  if (cheaters.length) throw new MisbehavingMemberError(cheaters.map(([n]) => n), step, 'sent a signature share that fails verification against its verifying share');
  throw new MisbehavingMemberError([...shares.keys()], step, 'the signature did not aggregate and no single share could be blamed');
}

/** Verifies a 65-byte FROST signature under a compressed group key (RFC 9591 §6.5). */
export function verifySignature(signature: Uint8Array, message: Uint8Array, groupKey: Uint8Array): boolean {
  try {
    return FROST.verify(signature, message, groupKey);
  } catch {
    return false;
  }
}
