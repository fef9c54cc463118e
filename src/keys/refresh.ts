/**
 * Proactive refresh (Herzberg, Jarecki, Krawczyk & Yung, "Proactive Secret Sharing Or: How
 * to Cope With Perpetual Leakage", CRYPTO 1995, §3): every member deals a sharing of zero;
 * each adds what it received to its share. The group key and the threshold stay; every
 * share changes, so shares stolen before the refresh cannot be combined with shares stolen
 * after it. All members take part. The new share is written as pending, the members confirm
 * the same new public state, and only then does each replace (delete) its old share.
 */
import { runDealingRound, type DealingRoundSpec } from './dealing-round.js';
import { KeyUsageError } from './errors.js';
import { buildGroupKeyInfo, commitmentPoints, type GroupKeyInfo } from './group-key.js';
import { confirmRound, prepareHolderFile, type CeremonyOptions } from './holder.js';
import { dropPending, promotePending, unlockShare, warmKek, writeShareFile } from './share-store.js';
import { Fn, identifierScalar } from './suite.js';

export interface RefreshParams {
  keyId: string;
  /** The epoch being refreshed (guards against refreshing a stale record). */
  epoch: number;
}

export async function runRefresh(p: RefreshParams, o: CeremonyOptions, tamper?: DealingRoundSpec['tamper']): Promise<GroupKeyInfo> {
  const self = o.channel.self;
  warmKek(o.store);
  const { file, share } = await unlockShare(o.store.dir, p.keyId, o.store.passphrase);
  const old = file.key;
  if (old.epoch !== p.epoch) throw new KeyUsageError(`${self} holds epoch ${old.epoch} of this key, not ${p.epoch}`, { hint: 'All members must hold the current epoch; check the KeyRegistry.' });
  const members = old.members.map((m) => m.name);
  const missing = members.filter((m) => !o.channel.net.parties.includes(m));
  if (missing.length) throw new KeyUsageError(`refresh needs every member; missing ${missing.join(', ')}`);
  const out = await runDealingRound(o.channel, {
    step: 'refresh',
    dealers: members,
    receivers: new Map(old.members.map((m) => [m.name, identifierScalar(m.identifier)])),
    threshold: old.threshold,
    constraint: { kind: 'zero' },
    secret: 0n,
    tamper,
  });
  const oldC = commitmentPoints(old);
  const merged = oldC.map((c, k) => (k === 0 ? c : c.add(out.commitments[k]!)));
  const info: GroupKeyInfo = buildGroupKeyInfo(old.keyId, old.epoch + 1, old.members, merged);
  const newShare = Fn.add(Fn.fromBytes(share), out.share!);
  share.fill(0);
  const next = await prepareHolderFile(self, info, newShare, o);
  writeShareFile(o.store.dir, next, true);
  try {
    Object.assign(next.commitments, await confirmRound(o.channel, 'refresh', members, info, next));
  } catch (err) {
    dropPending(o.store.dir, p.keyId);
    throw err;
  }
  writeShareFile(o.store.dir, next, true);
  promotePending(o.store.dir, p.keyId);
  return info;
}
