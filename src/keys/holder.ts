/**
 * What a member does when it becomes the holder of a share (after key generation, refresh or
 * resharing): check the share against the new public key, seal it, make its first batch of
 * signing nonces, and — in the confirm round — exchange with every party the digest of the
 * new public state (all must agree, or the ones that differ from the majority are named) and
 * its nonce commitments. Nothing is persisted until the confirm round succeeded.
 */
import type { FrostSecret } from '@noble/curves/abstract/frost.js';
import type { Channel } from './channel.js';
import { MisbehavingMemberError, KeyError } from './errors.js';
import { groupKeyDigest, memberOf, type GroupKeyInfo } from './group-key.js';
import { baseMul } from './ec.js';
import { nonceSealer, sealShare, type ShareFile, type StoreOptions } from './share-store.js';
import { makeNonceBatch, type CommitmentPair } from './signing.js';
import { Fn, fromHex, pointToHex, toHex } from './suite.js';

export const DEFAULT_NONCE_BATCH = 16;

export interface CeremonyOptions {
  channel: Channel;
  sessionId: string;
  store: StoreOptions;
  /** Nonce pairs each holder preprocesses (default 16). */
  nonceBatch?: number;
  /** Filled in: time spent preprocessing nonces and encrypting the share (not protocol time). */
  timings?: { preprocessSeconds: number; storeSeconds: number };
}

export async function prepareHolderFile(self: string, info: GroupKeyInfo, share: bigint, o: CeremonyOptions): Promise<ShareFile> {
  const me = memberOf(info, self);
  if (pointToHex(baseMul(share)) !== me.verifyingShare) {
    throw new KeyError(`the new share of ${self} does not match its verifying share`, { hint: 'This is a bug or a corrupted run; nothing was stored.' });
  }
  const shareBytes = fromHex(toHex(Fn.toBytes(share)));
  const secret: FrostSecret = { identifier: me.identifier, signingShare: shareBytes };
  const t0 = performance.now();
  const batch = makeNonceBatch(secret, 0, o.nonceBatch ?? DEFAULT_NONCE_BATCH);
  const nonces: Record<string, string> = {};
  const seal = nonceSealer(shareBytes, info);
  for (const [i, pair] of Object.entries(batch.secrets)) nonces[i] = seal(Number(i), pair);
  const t1 = performance.now();
  const sealed = await sealShare(shareBytes, info, self, o.store);
  if (o.timings) {
    o.timings.preprocessSeconds += (t1 - t0) / 1000;
    o.timings.storeSeconds += (performance.now() - t1) / 1000;
  }
  const file: ShareFile = {
    version: 2,
    self,
    key: info,
    share: sealed,
    nonces,
    nextNonce: 0,
    commitments: { [self]: Object.fromEntries(Object.entries(batch.commitments)) },
  };
  shareBytes.fill(0);
  return file;
}

interface ConfirmMessage {
  digest: string;
  nonces?: Record<string, CommitmentPair>;
}

/**
 * Every party sends every other the digest of the public state and (holders) its nonce
 * commitments. Returns the peers' commitments, or throws naming the parties whose digest
 * differs from the majority's.
 */
export async function confirmRound(ch: Channel, step: string, parties: readonly string[], info: GroupKeyInfo, file: ShareFile | undefined): Promise<Record<string, Record<string, CommitmentPair>>> {
  const others = parties.filter((p) => p !== ch.self);
  const digest = groupKeyDigest(info);
  const mine: ConfirmMessage = { digest, ...(file ? { nonces: file.commitments[ch.self] } : {}) };
  const got = await ch.broadcast<ConfirmMessage>(`${step}/confirm`, mine, others, others);
  got.set(ch.self, mine);
  const votes = new Map<string, number>();
  for (const m of got.values()) votes.set(String(m?.digest), (votes.get(String(m?.digest)) ?? 0) + 1);
  const majority = [...votes].sort((a, b) => b[1] - a[1])[0]![0];
  const dissent = [...got].filter(([, m]) => m?.digest !== majority).map(([p]) => p);
  if (dissent.length) throw new MisbehavingMemberError(dissent, `${step}/confirm`, 'acknowledged a different public key state than the majority');
  const out: Record<string, Record<string, CommitmentPair>> = {};
  for (const [p, m] of got) {
    if (p === ch.self || !info.members.some((x) => x.name === p)) continue;
    if (typeof m.nonces !== 'object' || m.nonces === null) throw new MisbehavingMemberError([p], `${step}/confirm`, 'sent no nonce commitments');
    out[p] = m.nonces;
  }
  return out;
}

export const hex32 = (x: bigint): string => toHex(Fn.toBytes(x));
