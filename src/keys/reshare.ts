/**
 * Resharing to a new member set and threshold under the same group key (Desmedt & Jajodia,
 * "Redistributing Secret Shares to New Access Structures and Its Applications", 1997;
 * verifiable as in Wong, Wang & Wing, "Verifiable Secret Redistribution for Archive
 * Systems", 2002): a qualified set of old holders (the dealers, at least the old threshold)
 * each deal λ_i·s_i — its share weighted by its Lagrange coefficient over the dealer set —
 * with the new threshold to the new members. The new members check every dealer's constant
 * commitment against λ_i·Y_i (its public verifying share), so no dealer can reshare anything
 * but its own share, and check that the constants sum to the group key. New holders write
 * their share as pending; after every party confirmed the same new state, they promote it
 * and the old holders delete their old shares.
 */
import { runDealingRound, type DealingRoundSpec } from './dealing-round.js';
import { KeyError, KeyUsageError } from './errors.js';
import { lagrangeAtZero } from './feldman.js';
import { buildGroupKeyInfo, checkThreshold, groupKeyDigest, type GroupKeyInfo } from './group-key.js';
import { confirmRound, prepareHolderFile, type CeremonyOptions } from './holder.js';
import { msm } from './ec.js';
import { deleteShare, dropPending, promotePending, unlockShare, warmKek, writeShareFile, type ShareFile } from './share-store.js';
import { Fn, identifierOf, identifierScalar, parsePoint, pointToHex } from './suite.js';

export interface ReshareParams {
  /** The current public state (from any old holder or the KeyRegistry); old dealers check it against their own. */
  previous: GroupKeyInfo;
  /** Old holders that deal (≥ previous.threshold). */
  dealers: string[];
  /** The new members; member i gets identifier i. */
  members: string[];
  threshold: number;
}

export async function runReshare(p: ReshareParams, o: CeremonyOptions, tamper?: DealingRoundSpec['tamper']): Promise<GroupKeyInfo> {
  const self = o.channel.self;
  const prev = p.previous;
  checkThreshold(p.threshold, p.members.length);
  if (new Set(p.members).size !== p.members.length || new Set(p.dealers).size !== p.dealers.length) throw new KeyUsageError('member and dealer names must be distinct');
  if (p.dealers.length < prev.threshold) throw new KeyUsageError(`resharing needs at least ${prev.threshold} old holders as dealers (got ${p.dealers.length})`);
  const oldIds = new Map(prev.members.map((m) => [m.name, m]));
  for (const d of p.dealers) if (!oldIds.has(d)) throw new KeyUsageError(`dealer ${d} is not a member of epoch ${prev.epoch}`);
  const dealerXs = p.dealers.map((d) => identifierScalar(oldIds.get(d)!.identifier));
  const expected = new Map(p.dealers.map((d, i) => [d, msm([parsePoint(oldIds.get(d)!.verifyingShare)], [lagrangeAtZero(dealerXs, dealerXs[i]!)])]));

  if (p.members.includes(self)) warmKek(o.store);
  let secret: bigint | undefined;
  let oldFile: ShareFile | undefined;
  if (p.dealers.includes(self)) {
    const { file, share } = await unlockShare(o.store.dir, prev.keyId, o.store.passphrase);
    if (groupKeyDigest(file.key) !== groupKeyDigest(prev)) {
      throw new KeyUsageError(`${self}'s record of key ${prev.keyId.slice(0, 16)}… (epoch ${file.key.epoch}) differs from the state given for resharing (epoch ${prev.epoch})`);
    }
    oldFile = file;
    const i = p.dealers.indexOf(self);
    secret = Fn.mul(lagrangeAtZero(dealerXs, dealerXs[i]!), Fn.fromBytes(share));
    share.fill(0);
  }
  const ids = p.members.map((name, i) => ({ name, identifier: identifierOf(i + 1) }));
  const out = await runDealingRound(o.channel, {
    step: 'reshare',
    dealers: p.dealers,
    receivers: new Map(ids.map((m) => [m.name, identifierScalar(m.identifier)])),
    threshold: p.threshold,
    constraint: { kind: 'equals', expected },
    secret,
    tamper,
  });
  if (pointToHex(out.commitments[0]!) !== prev.groupKey) throw new KeyError('the reshared constants do not sum to the group key', { hint: 'The previous state given for resharing is not the registered one.' });
  const info = buildGroupKeyInfo(prev.keyId, prev.epoch + 1, ids, out.commitments);
  const parties = [...new Set([...p.dealers, ...p.members])].sort();
  const holder = out.share !== undefined ? await prepareHolderFile(self, info, out.share, o) : undefined;
  if (holder) writeShareFile(o.store.dir, holder, true);
  try {
    const peers = await confirmRound(o.channel, 'reshare', parties, info, holder);
    if (holder) Object.assign(holder.commitments, peers);
  } catch (err) {
    if (holder) dropPending(o.store.dir, prev.keyId);
    throw err;
  }
  if (holder) {
    writeShareFile(o.store.dir, holder, true);
    promotePending(o.store.dir, prev.keyId);
  } else if (oldFile) {
    deleteShare(o.store.dir, prev.keyId);
  }
  return info;
}
