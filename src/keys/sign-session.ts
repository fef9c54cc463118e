/**
 * One FROST signature among a set of signers (at least the threshold), over the session
 * network. With preprocessed nonces (`nonceIndex` names, for every signer, the index of the
 * nonce pair it will use; every signer already holds every other signer's commitment for it
 * from an earlier confirm round) signing is a single round: each signer records its nonce as
 * used in its store's journal (share-store.ts, the nonce store's rule), sends its signature
 * share to the others, and every signer aggregates and verifies. Without them, a commit round comes first (RFC 9591 §5.1), which also hands out a
 * fresh batch of commitments for later one-round signatures.
 *
 * Every signer checks every commitment and every share, so an invalid commitment or a share
 * that fails §5.4's check names its sender; the run then aborts at every signer.
 */
import type { FrostSecret } from '@noble/curves/abstract/frost.js';
import type { Channel } from './channel.js';
import { KeyUsageError, MisbehavingMemberError } from './errors.js';
import { memberOf, type GroupKeyInfo } from './group-key.js';
import { DEFAULT_NONCE_BATCH } from './holder.js';
import { consumeNonce, nonceSealer, openNonce, unlockShare, writeShareFile } from './share-store.js';
import { aggregateChecked, makeNonceBatch, signShare, signingPackageOf, type CommitmentPair } from './signing.js';
import { Fn, fromHex, toHex } from './suite.js';

export interface SignParams {
  keyId: string;
  /** The message, hex. */
  message: string;
  signers: string[];
  /** Preprocessed nonce index per signer; absent → a commit round first. */
  nonceIndex?: Record<string, number>;
}

export interface SignOptions {
  channel: Channel;
  dir: string;
  passphrase: string;
  nonceBatch?: number;
  /** Test-only corruption of what this signer sends. */
  tamper?: { badCommitment?: boolean; badShare?: boolean };
}

export interface SignOutcome {
  keyId: string;
  epoch: number;
  groupKey: string;
  message: string;
  /** R ‖ z (65 bytes), hex. */
  signature: string;
  /** Time of the protocol itself (after the share was unlocked), seconds. */
  protocolSeconds: number;
}

/** The smallest unused preprocessed nonce index of a member, from its own (public) commitments and sealed nonces. */
export function nextNonceIndex(nonces: Record<string, string>): number | undefined {
  const keys = Object.keys(nonces).map(Number);
  return keys.length ? Math.min(...keys) : undefined;
}

export async function runSign(p: SignParams, o: SignOptions): Promise<SignOutcome> {
  const ch = o.channel;
  const self = ch.self;
  const { file, share } = await unlockShare(o.dir, p.keyId, o.passphrase);
  const t0 = performance.now();
  const info: GroupKeyInfo = file.key;
  const signers = [...p.signers].sort();
  if (new Set(signers).size !== signers.length) throw new KeyUsageError('signer names must be distinct');
  for (const s of signers) memberOf(info, s);
  if (signers.length < info.threshold) throw new KeyUsageError(`key ${p.keyId.slice(0, 16)}… needs ${info.threshold} signers (got ${signers.length})`);
  if (!signers.includes(self)) throw new KeyUsageError(`${self} is not one of the signers`);
  const others = signers.filter((s) => s !== self);
  const message = fromHex(p.message);
  const me = memberOf(info, self);
  const secret: FrostSecret = { identifier: me.identifier, signingShare: share };

  const chosen = new Map<string, CommitmentPair | undefined>();
  let myIndex: number;
  let sealedNonce: string;
  let consumed: Promise<void>;
  if (p.nonceIndex) {
    for (const s of signers) {
      const k = p.nonceIndex[s];
      if (!Number.isInteger(k)) throw new KeyUsageError(`no nonce index for signer ${s}`);
      const pair = file.commitments[s]?.[String(k)];
      if (!pair) throw new KeyUsageError(`${self} holds no preprocessed nonce commitment #${k} of ${s}`, { hint: 'Sign without preprocessed nonces (a commit round first).' });
      chosen.set(s, pair);
    }
    myIndex = p.nonceIndex[self]!;
    if (!file.nonces[String(myIndex)]) throw new KeyUsageError(`${self}'s nonce #${myIndex} was already used or never made`, { hint: 'Each preprocessed nonce signs once; sign without preprocessed nonces.' });
    sealedNonce = file.nonces[String(myIndex)]!;
    // The journal write runs on the thread pool while the group commitment is computed; it
    // is awaited before the signature share is sent (the nonce store's rule, share-store.ts).
    consumed = consumeNonce(o.dir, file, myIndex);
    consumed.catch(() => {}); // awaited below; this only keeps an early exit from leaving it unhandled
  } else {
    // Commit round: a fresh batch; its first pair signs now, the rest stay preprocessed.
    const used = Object.keys(file.commitments[self] ?? {}).map(Number);
    const start = used.length ? Math.max(...used) + 1 : 0;
    const batch = makeNonceBatch(secret, start, o.nonceBatch ?? DEFAULT_NONCE_BATCH);
    const seal = nonceSealer(share, info);
    for (const [i, pair] of Object.entries(batch.secrets)) file.nonces[i] = seal(Number(i), pair);
    file.commitments[self] = { ...(file.commitments[self] ?? {}), ...batch.commitments };
    writeShareFile(o.dir, file);
    const outgoing: { start: number; commitments: Record<string, CommitmentPair> } = { start, commitments: batch.commitments };
    if (o.tamper?.badCommitment) outgoing.commitments = { ...batch.commitments, [start]: ['02' + '00'.repeat(32), batch.commitments[start]![1]] };
    const got = await ch.broadcast<typeof outgoing>('sign/commit', outgoing, others, others);
    chosen.set(self, batch.commitments[start]);
    for (const [peer, m] of got) {
      if (!Number.isInteger(m?.start) || typeof m.commitments !== 'object') throw new MisbehavingMemberError([peer], 'sign/commit', 'sent a malformed commit message');
      chosen.set(peer, m.commitments[String(m.start)]);
      file.commitments[peer] = { ...(file.commitments[peer] ?? {}), ...m.commitments };
    }
    myIndex = start;
    sealedNonce = file.nonces[String(myIndex)]!;
    // After a commit round the file also takes the peers' fresh commitments.
    delete file.nonces[String(myIndex)];
    writeShareFile(o.dir, file);
    consumed = Promise.resolve();
  }
  const ordered = new Map(signers.map((s) => [s, chosen.get(s)]));
  const pkg = signingPackageOf(info, ordered, message, p.nonceIndex ? 'sign/preprocessed' : 'sign/commit');

  const nonces = openNonce(share, info, myIndex, sealedNonce);
  let z = signShare(pkg, info, self, Fn.fromBytes(share), nonces);
  share.fill(0);
  if (o.tamper?.badShare) z = toHex(Fn.toBytes(Fn.add(Fn.fromBytes(fromHex(z)), 1n)));
  await consumed; // the nonce's use is on disk before anything derived from it leaves this process
  const shares = await ch.broadcast<{ share: string }>('sign/share', { share: z }, others, others);
  const all = new Map<string, string | undefined>(signers.map((s) => [s, s === self ? z : shares.get(s)?.share]));
  // aggregateChecked returns only a signature that verifies under the group key (RFC 9591 §5.3).
  const signature = aggregateChecked(pkg, info, all, 'sign/share');
  const protocolSeconds = (performance.now() - t0) / 1000;
  return { keyId: info.keyId, epoch: info.epoch, groupKey: info.groupKey, message: p.message, signature: toHex(signature), protocolSeconds };
}
