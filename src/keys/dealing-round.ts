/**
 * The dealing round over the network, shared by key generation, refresh and resharing, in
 * the complaint style of Gennaro, Jarecki, Krawczyk & Rabin ("Secure Distributed Key
 * Generation for Discrete-Log Based Cryptosystems", J. Cryptology 2007, §3):
 *
 *   deal    every dealer sends each party its commitments (+ proof) and, to a receiver, its share;
 *   check   every party echoes a digest of each dealer's commitments and names the dealers
 *           whose share failed the Feldman check (complaints);
 *   reveal  only if there were complaints: each accused dealer publishes the disputed shares.
 *
 * Verdicts are computed from data every honest party sees identically, so they agree:
 * a dealer whose public part breaks its constraint, whose commitments were echoed differently
 * by different parties (it equivocated — or, indistinguishably without a broadcast channel, a
 * reporter lied; both are named in the error details), or whose revealed share fails the
 * check is named and the ceremony aborts (identifiable abort). A valid reveal settles the
 * complaint: the complainer uses the revealed share.
 */
import type { Channel } from './channel.js';
import { checkDealShare, checkDealsPublic, commitmentDigest, deal, dealMessageFor, type Constraint, type DealMessage } from './dealing.js';
import { baseMul } from './ec.js';
import { MisbehavingMemberError } from './errors.js';
import { addCommitments, evaluateCommitment, verifyShare } from './feldman.js';
import { Fn, tryScalar, type Point } from './suite.js';

export interface DealingRoundSpec {
  /** Step prefix for labels and errors: 'dkg', 'refresh', 'reshare'. */
  step: string;
  dealers: readonly string[];
  /** Receiver name → identifier scalar under the new sharing. */
  receivers: ReadonlyMap<string, bigint>;
  /** New threshold (polynomial degree + 1). */
  threshold: number;
  constraint: Constraint;
  /** This party's constant term, if it deals. */
  secret?: bigint;
  /** Test-only: corrupt what this party sends (see test/keys/cheaters.ts). */
  tamper?: { dealShareTo?: string; honestReveal?: boolean; equivocateTo?: string };
}

export interface DealingOutcome {
  /** Σ of the shares this party received (receivers only). */
  share?: bigint;
  /** Coefficient-wise Σ of all dealers' commitments (the new polynomial's, for refresh the delta's). */
  commitments: Point[];
}

interface CheckMessage {
  complaints: string[];
  digests: Record<string, string>;
}

export async function runDealingRound(ch: Channel, spec: DealingRoundSpec): Promise<DealingOutcome> {
  const self = ch.self;
  const parties = [...new Set([...spec.dealers, ...spec.receivers.keys()])].sort();
  const others = parties.filter((p) => p !== self);
  const zero = spec.constraint.kind === 'zero';
  const isDealer = spec.dealers.includes(self);
  const myX = spec.receivers.get(self);

  // deal
  const outgoing = new Map<string, DealMessage>();
  let mine: ReturnType<typeof deal> | undefined;
  if (isDealer) {
    mine = deal(self, spec.secret ?? 0n, spec.threshold, new Map(spec.receivers), spec.constraint);
    const victim = spec.tamper?.dealShareTo;
    if (victim && !spec.tamper?.honestReveal) mine.shares.set(victim, Fn.add(mine.shares.get(victim)!, 1n));
    for (const p of others) outgoing.set(p, dealMessageFor(mine, p, zero));
    if (victim && spec.tamper?.honestReveal) {
      const m = outgoing.get(victim)!;
      m.share = Buffer.from(Fn.toBytes(Fn.add(tryScalar(m.share)!, 1n))).toString('hex');
    }
    if (spec.tamper?.equivocateTo) {
      const fake = deal(self, spec.secret ?? 0n, spec.threshold, new Map(spec.receivers), spec.constraint);
      outgoing.set(spec.tamper.equivocateTo, dealMessageFor(fake, spec.tamper.equivocateTo, zero));
    }
  }
  const received = await ch.exchange<DealMessage>(`${spec.step}/deal`, outgoing, spec.dealers);

  const commitmentsOf = new Map<string, Point[]>();
  const sharesFrom = new Map<string, bigint>();
  const complaints: string[] = [];
  if (mine) {
    commitmentsOf.set(self, mine.commitments);
    if (myX !== undefined) sharesFrom.set(self, mine.shares.get(self)!);
  }
  for (const [dealer, commitments] of checkDealsPublic(received, spec.threshold, spec.constraint, `${spec.step}/deal`)) commitmentsOf.set(dealer, commitments);
  const all = spec.dealers.map((d) => commitmentsOf.get(d)!);
  const commitments = addCommitments(all);
  if (myX !== undefined) {
    // Feldman's check for all dealers at once: Σ_j f_j(x)·G = (Σ_j C_j)(x). A sum that holds
    // gives this receiver a share consistent with the summed commitments, which is all the
    // ceremony needs (dealers whose errors cancel harm no one). Only if it fails (or a share is
    // malformed) is each dealer's share checked alone, and the ones that fail are complained about.
    const shares = new Map([...received].map(([d, m]) => [d, tryScalar(m?.share)]));
    let sum = mine ? mine.shares.get(self)! : 0n;
    for (const s of shares.values()) if (s !== null) sum = Fn.add(sum, s);
    const sumHolds = [...shares.values()].every((s) => s !== null) && baseMul(sum).equals(evaluateCommitment(commitments, myX));
    for (const [dealer, m] of received) {
      const s = sumHolds ? shares.get(dealer)! : checkDealShare(m, commitmentsOf.get(dealer)!, myX);
      if (s === null) complaints.push(dealer);
      else sharesFrom.set(dealer, s);
    }
  }

  // check: echo digests, file complaints
  const digests = Object.fromEntries([...commitmentsOf].map(([d, c]) => [d, commitmentDigest(c)]));
  const checks = await ch.broadcast<CheckMessage>(`${spec.step}/check`, { complaints, digests } satisfies CheckMessage, others, others);
  checks.set(self, { complaints, digests });
  const equivocators = spec.dealers.filter((d) => new Set([...checks.values()].map((c) => c?.digests?.[d])).size !== 1);
  if (equivocators.length) {
    const reports = equivocators.map((d) => `${d}: ${[...checks].map(([p, c]) => `${p} saw ${String(c?.digests?.[d]).slice(0, 12)}`).join(', ')}`).join('; ');
    throw new MisbehavingMemberError(equivocators, `${spec.step}/check`, 'sent different commitments to different members', { details: reports });
  }
  const accused = new Map<string, string[]>(); // dealer → complainers
  const falseComplainers: string[] = [];
  for (const [p, c] of checks) {
    for (const d of Array.isArray(c?.complaints) ? c.complaints : []) {
      if (!spec.receivers.has(p) || !spec.dealers.includes(d) || d === p) falseComplainers.push(p);
      else accused.set(d, [...(accused.get(d) ?? []), p]);
    }
  }
  if (falseComplainers.length) throw new MisbehavingMemberError([...new Set(falseComplainers)], `${spec.step}/check`, 'filed a complaint it is not entitled to');

  // reveal (only when someone complained; every party knows whether to expect it)
  if (accused.size) {
    const mineAccused = accused.get(self);
    const reveal = mineAccused && mine ? { shares: Object.fromEntries(mineAccused.map((p) => [p, Buffer.from(Fn.toBytes(mine!.shares.get(p)!)).toString('hex')])) } : undefined;
    const out = new Map<string, unknown>(reveal ? others.map((p) => [p, reveal]) : []);
    const reveals = await ch.exchange<{ shares?: Record<string, string> }>(`${spec.step}/reveal`, out, [...accused.keys()].filter((d) => d !== self).sort());
    const cheaters: string[] = [];
    for (const [dealer, complainers] of accused) {
      if (dealer === self) continue;
      for (const p of complainers) {
        const s = tryScalar(reveals.get(dealer)?.shares?.[p]);
        if (s === null || !verifyShare(commitmentsOf.get(dealer)!, spec.receivers.get(p)!, s)) {
          cheaters.push(dealer);
          break;
        }
        if (p === self) sharesFrom.set(dealer, s);
      }
    }
    if (cheaters.length) {
      throw new MisbehavingMemberError([...new Set(cheaters)], `${spec.step}/reveal`, 'sent a share that fails its Feldman commitments and did not publish a valid one when accused');
    }
  }

  let share: bigint | undefined;
  if (myX !== undefined) {
    share = 0n;
    for (const d of spec.dealers) share = Fn.add(share, sharesFrom.get(d)!);
  }
  return { share, commitments };
}
