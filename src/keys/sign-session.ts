/**
 * One FROST signature among a set of signers (at least the threshold), over the session
 * network. With preprocessed nonces (`nonceIndex` names, for every signer, the index of the
 * nonce pair it will use; every signer already holds every other signer's commitment for it
 * from an earlier confirm round) signing is a single round: each signer records its nonce as
 * used in its store's journal (share-store.ts, the nonce store's rule), sends its signature
 * share to the coordinator (the first signer by name), which aggregates and hands back the
 * signature, which every signer checks (`collectSignature`). Without them, a commit round
 * comes first (RFC 9591 §5.1), which also hands out a fresh batch of commitments for later
 * one-round signatures.
 *
 * Every signer checks every commitment; when the signature does not aggregate, every signer
 * gets every share directly and checks each (§5.4), so an invalid commitment or a share that
 * fails names its sender at every signer, and a coordinator that returns a wrong signature is
 * named by the signers it sent it to; the run then aborts.
 */
import type { FrostSecret } from '@noble/curves/abstract/frost.js';
import type { Channel } from './channel.js';
import { KeyUsageError, MisbehavingMemberError } from './errors.js';
import { memberOf, type GroupKeyInfo } from './group-key.js';
import { DEFAULT_NONCE_BATCH } from './holder.js';
import { consumeNonce, nonceSealer, openNonce, unlockShare, writeShareFile } from './share-store.js';
import { aggregateChecked, makeNonceBatch, signShare, signingPackageOf, type CommitmentPair } from './signing.js';
import { aggregateWith, type SigningPackage } from './frost-core.js';
import { Fn, fromHex, toHex, tryScalar } from './suite.js';

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
  /** Test-only corruption of what this signer sends (`badResult`: as the coordinator, a signature that does not verify). */
  tamper?: { badCommitment?: boolean; badShare?: boolean; badResult?: boolean };
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
    // On disk before anything derived from the nonce exists (the nonce store's rule, share-store.ts).
    consumeNonce(o.dir, file, myIndex);
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
  }
  const ordered = new Map(signers.map((s) => [s, chosen.get(s)]));
  const pkg = signingPackageOf(info, ordered, message, p.nonceIndex ? 'sign/preprocessed' : 'sign/commit');

  const nonces = openNonce(share, info, myIndex, sealedNonce);
  let z = signShare(pkg, info, self, Fn.fromBytes(share), nonces);
  share.fill(0);
  if (o.tamper?.badShare) z = toHex(Fn.toBytes(Fn.add(Fn.fromBytes(fromHex(z)), 1n)));
  const signature = await collectSignature(ch, pkg, info, signers, z, o.tamper?.badResult === true);
  const protocolSeconds = (performance.now() - t0) / 1000;
  return { keyId: info.keyId, epoch: info.epoch, groupKey: info.groupKey, message: p.message, signature: toHex(signature), protocolSeconds };
}

type ResultMessage = { signature: string } | { fallback: true };

/**
 * RFC 9591 §5.3 with the RFC's Coordinator role taken by the first signer (by name): every
 * other signer sends its share to the coordinator alone, which aggregates, checks the sum
 * and hands every signer the signature; each signer checks it against its own R and the
 * group key before returning it (a wrong one names the coordinator). That is 2(t − 1)
 * messages instead of t(t − 1) — at 14 signers on two cores, the difference between most of
 * a signature's time and little of it. Blame stays attributable: when the sum does not verify,
 * the coordinator tells everyone to fall back, and every signer sends its share to every other
 * directly (the pinned TLS channel names the sender), so each signer checks each share itself
 * (§5.4) and names the cheater on its own evidence, never on the coordinator's say-so.
 */
async function collectSignature(ch: Channel, pkg: SigningPackage, info: GroupKeyInfo, signers: string[], z: string, badResult: boolean): Promise<Uint8Array> {
  const self = ch.self;
  const coordinator = signers[0]!;
  const others = signers.filter((s) => s !== self);
  let fallback = false;
  if (self === coordinator) {
    const shares = await ch.exchange<{ share?: unknown }>('sign/share', new Map(), others);
    const all = new Map<string, string | undefined>(signers.map((s) => [s, s === self ? z : typeof shares.get(s)?.share === 'string' ? (shares.get(s)!.share as string) : undefined]));
    const signature = tryAggregate(pkg, all);
    if (signature) {
      const sent = badResult ? Uint8Array.from(signature, (b, i) => (i === 64 ? b ^ 1 : b)) : signature;
      await ch.exchange('sign/result', new Map(others.map((p) => [p, { signature: toHex(sent) } satisfies ResultMessage])), []);
      return signature;
    }
    await ch.exchange('sign/result', new Map(others.map((p) => [p, { fallback: true } satisfies ResultMessage])), []);
    fallback = true;
  } else {
    await ch.exchange('sign/share', new Map([[coordinator, { share: z }]]), []);
    const m = (await ch.exchange<ResultMessage>('sign/result', new Map(), [coordinator])).get(coordinator);
    if (m && 'fallback' in m && m.fallback === true) fallback = true;
    else {
      const sig = m && 'signature' in m && typeof m.signature === 'string' && /^[0-9a-fA-F]{130}$/.test(m.signature) ? fromHex(m.signature) : undefined;
      if (sig && verifiesAs(pkg, sig)) return sig;
      throw new MisbehavingMemberError([coordinator], 'sign/result', 'sent, as the coordinator, a signature that does not verify under the group key with this signing package');
    }
  }
  // Fallback: every share to every signer, each checked here (aggregateChecked names whoever's fails).
  const shares = await ch.broadcast<{ share: string }>('sign/share/all', { share: z }, others, others);
  const all = new Map<string, string | undefined>(signers.map((s) => [s, s === self ? z : shares.get(s)?.share]));
  return aggregateChecked(pkg, info, all, 'sign/share');
}

/** The aggregate if every share parses and the sum verifies (§5.3), else undefined. */
function tryAggregate(pkg: SigningPackage, shares: Map<string, string | undefined>): Uint8Array | undefined {
  const zs: bigint[] = [];
  for (const hex of shares.values()) {
    const z = tryScalar(hex);
    if (z === null) return undefined;
    zs.push(z);
  }
  return aggregateWith(pkg, zs) ?? undefined;
}

/** R ‖ z is this package's R and z·G − c·Y = R: the aggregate of z alone reproduces the signature byte for byte. */
function verifiesAs(pkg: SigningPackage, sig: Uint8Array): boolean {
  const z = tryScalar(toHex(sig.subarray(33)));
  const again = z === null ? null : aggregateWith(pkg, [z]);
  return again !== null && toHex(again) === toHex(sig);
}
