/**
 * Distributed key generation among the members (no dealer, no one ever holds the key):
 * every member deals a random secret with a proof of knowledge, complaints are settled, the
 * group key is the sum of the constant commitments (Pedersen 1991; GJKR 2007; FROST KeyGen,
 * Komlo & Goldberg 2020 §5.1), and every member confirms the same public state before any
 * share is stored. Member i's FROST identifier is i (its 1-based place in `members`).
 */
import { runDealingRound } from './dealing-round.js';
import { KeyUsageError } from './errors.js';
import { buildGroupKeyInfo, checkThreshold, type GroupKeyInfo } from './group-key.js';
import { confirmRound, prepareHolderFile, type CeremonyOptions } from './holder.js';
import { warmKek, writeShareFile } from './share-store.js';
import { digest, identifierOf, identifierScalar, randomScalar, toHex, utf8 } from './suite.js';
import type { DealingRoundSpec } from './dealing-round.js';

export interface DkgParams {
  members: string[];
  threshold: number;
}

export async function runDkg(p: DkgParams, o: CeremonyOptions, tamper?: DealingRoundSpec['tamper']): Promise<GroupKeyInfo> {
  checkThreshold(p.threshold, p.members.length);
  if (new Set(p.members).size !== p.members.length) throw new KeyUsageError('member names must be distinct');
  const self = o.channel.self;
  if (!p.members.includes(self)) throw new KeyUsageError(`${self} is not one of the members`);
  warmKek(o.store); // scrypt on the thread pool while the rounds run
  const ids = p.members.map((name, i) => ({ name, identifier: identifierOf(i + 1) }));
  const receivers = new Map(ids.map((m) => [m.name, identifierScalar(m.identifier)]));
  const context = `tacit/keys/dkg/v1/${o.sessionId}/${p.threshold}/${p.members.join(',')}`;
  const out = await runDealingRound(o.channel, {
    step: 'dkg',
    dealers: p.members,
    receivers,
    threshold: p.threshold,
    constraint: { kind: 'pok', context },
    secret: randomScalar(),
    tamper,
  });
  const groupKey = out.commitments[0]!;
  const keyId = toHex(digest(utf8('tacit/keys/key-id/v1'), utf8(o.sessionId), groupKey.toBytes(true)));
  const info = buildGroupKeyInfo(keyId, 0, ids, out.commitments);
  const file = await prepareHolderFile(self, info, out.share!, o);
  const peers = await confirmRound(o.channel, 'dkg', p.members, info, file);
  Object.assign(file.commitments, peers);
  writeShareFile(o.store.dir, file);
  return info;
}
