/**
 * One verifiable dealing round, the step that key generation, refresh and resharing have in
 * common: every dealer Feldman-shares a secret among the receivers and publishes the
 * commitments; every receiver checks its share; the receivers' new shares are sums of what
 * they received. What differs is the constraint on each dealer's constant term:
 *
 *  - key generation (Pedersen 1991 as hardened by Gennaro, Jarecki, Krawczyk, Rabin 1999/2007,
 *    with the Schnorr proof of knowledge of a_0 from FROST's KeyGen, Komlo & Goldberg 2020
 *    §5.1): C_0 is free but its discrete log must be proven, against rogue-key attacks;
 *  - proactive refresh (Herzberg, Jarecki, Krawczyk, Yung, CRYPTO 1995): a_0 = 0, so the
 *    group key stays and every old share is re-randomised;
 *  - resharing (Desmedt & Jajodia 1997; verifiable as in Wong, Wang & Wing 2002): dealer i
 *    shares λ_i·s_i, so C_0 must equal λ_i·Y_i for its public verifying share Y_i, and the
 *    sum of the constants is the unchanged group secret.
 *
 * Pure functions; the network driver (dealing-round.ts) moves the messages.
 */
import { randomBytes } from 'node:crypto';
import { baseMsm, baseMul } from './ec.js';
import { MisbehavingMemberError } from './errors.js';
import { evaluate, randomSharing, verifyShare } from './feldman.js';
import { Fn, Point, hashToScalar, pointToHex, randomScalar, scalarToHex, tryPoint, tryScalar, utf8, digest, toHex, concat } from './suite.js';

export type Constraint =
  | { kind: 'pok'; context: string }
  | { kind: 'zero' }
  | { kind: 'equals'; expected: Map<string, Point> };

/** What a dealer sends one party: its commitments (public) and, to a receiver, that receiver's share. */
export interface DealMessage {
  commitments: string[];
  /** Proof of knowledge of a_0 (key generation only): R and μ = k + a_0·c. */
  pok?: { R: string; mu: string };
  /** f(receiver identifier), hex; absent for a party that receives no share. */
  share?: string;
}

export interface Dealing {
  /** Per receiver name: its share (secret). */
  shares: Map<string, bigint>;
  commitments: Point[];
  pok?: { R: Point; mu: bigint };
}

const POK_DST = 'dkg-pok';

function pokChallenge(dealer: string, context: string, C0: Point, R: Point): bigint {
  return hashToScalar(POK_DST, utf8(context), utf8('\0' + dealer + '\0'), C0.toBytes(true), R.toBytes(true));
}

/** Makes a dealer's sharing of `secret` with threshold t for the receivers (name → identifier scalar). */
export function deal(dealer: string, secret: bigint, t: number, receivers: Map<string, bigint>, constraint: Constraint): Dealing {
  const s = randomSharing(t, secret);
  const shares = new Map<string, bigint>();
  for (const [name, x] of receivers) shares.set(name, evaluate(s.coefficients, x));
  let pok: Dealing['pok'];
  if (constraint.kind === 'pok') {
    const k = randomScalar();
    const R = baseMul(k);
    const c = pokChallenge(dealer, constraint.context, s.commitments[0]!, R);
    pok = { R, mu: Fn.add(k, Fn.mul(s.coefficients[0]!, c)) };
  }
  s.coefficients.fill(0n);
  return { shares, commitments: s.commitments, pok };
}

export function dealMessageFor(d: Dealing, receiver: string | undefined, zeroConstant: boolean): DealMessage {
  const commitments = (zeroConstant ? d.commitments.slice(1) : d.commitments).map(pointToHex);
  const m: DealMessage = { commitments };
  if (d.pok) m.pok = { R: pointToHex(d.pok.R), mu: scalarToHex(d.pok.mu) };
  const share = receiver === undefined ? undefined : d.shares.get(receiver);
  if (share !== undefined) m.share = scalarToHex(share);
  return m;
}

interface ParsedPublic {
  commitments: Point[];
  pok?: { R: Point; mu: bigint; c: bigint };
}

function parseDealPublic(dealer: string, m: DealMessage, t: number, constraint: Constraint, step: string): ParsedPublic {
  const fail = (what: string): never => {
    throw new MisbehavingMemberError([dealer], step, what);
  };
  if (!m || !Array.isArray(m.commitments)) return fail('malformed dealing');
  const expectLen = constraint.kind === 'zero' ? t - 1 : t;
  if (m.commitments.length !== expectLen) fail(`sent ${m.commitments.length} commitments, expected ${expectLen}`);
  const points = m.commitments.map((c) => tryPoint(c) ?? fail('sent a commitment that is not a valid curve point'));
  const commitments = constraint.kind === 'zero' ? [Point.ZERO, ...points] : points;
  if (constraint.kind === 'pok') {
    const R = tryPoint(m.pok?.R);
    const mu = tryScalar(m.pok?.mu);
    if (!R || mu === null) return fail('sent no valid proof of knowledge');
    return { commitments, pok: { R, mu, c: pokChallenge(dealer, constraint.context, commitments[0]!, R) } };
  }
  if (constraint.kind === 'equals') {
    const want = constraint.expected.get(dealer);
    if (!want || !commitments[0]!.equals(want)) fail('reshared something other than its own share (constant commitment ≠ λ·Y)');
  }
  return { commitments };
}

/** Schnorr verification of one proof of knowledge: μ·G − c·C_0 = R. */
const pokHolds = (p: ParsedPublic) => baseMsm(p.pok!.mu, [p.commitments[0]!], [Fn.neg(p.pok!.c)]).equals(p.pok!.R);

/**
 * Checks a dealer's public part against the constraint. Returns the commitments or throws
 * MisbehavingMemberError naming the dealer (everyone sees the same public part, so every
 * honest member reaches the same verdict).
 */
export function checkDealPublic(dealer: string, m: DealMessage, t: number, constraint: Constraint, step: string): Point[] {
  const p = parseDealPublic(dealer, m, t, constraint, step);
  if (p.pok && !pokHolds(p)) throw new MisbehavingMemberError([dealer], step, 'sent an invalid proof of knowledge of its secret');
  return p.commitments;
}

/**
 * `checkDealPublic` for every dealer at once, in message order. The proofs of knowledge are
 * verified as one batch (Bellare, Garay & Rabin, EUROCRYPT 1998, small-exponents test): with
 * independent random 128-bit weights w_j, Σ w_j·μ_j·G − Σ w_j·R_j − Σ w_j·c_j·C_j0 = 0 holds for
 * all valid proofs and fails with probability ≥ 1 − 2^-128 if any one is invalid — one
 * multi-scalar multiplication instead of two multiplications per dealer. Only if the batch fails
 * is each proof checked alone, to name the dealer whose proof is wrong.
 */
export function checkDealsPublic(deals: ReadonlyMap<string, DealMessage>, t: number, constraint: Constraint, step: string): Map<string, Point[]> {
  const parsed = new Map<string, ParsedPublic>();
  for (const [dealer, m] of deals) parsed.set(dealer, parseDealPublic(dealer, m, t, constraint, step));
  if (constraint.kind === 'pok' && parsed.size) {
    let a = 0n;
    const points: Point[] = [];
    const scalars: bigint[] = [];
    for (const p of parsed.values()) {
      const w = Fn.create(BigInt('0x' + randomBytes(16).toString('hex')) | 1n);
      a = Fn.add(a, Fn.mul(w, p.pok!.mu));
      points.push(p.pok!.R, p.commitments[0]!);
      scalars.push(Fn.neg(w), Fn.neg(Fn.mul(w, p.pok!.c)));
    }
    if (!baseMsm(a, points, scalars).is0()) {
      for (const [dealer, p] of parsed) if (!pokHolds(p)) throw new MisbehavingMemberError([dealer], step, 'sent an invalid proof of knowledge of its secret');
    }
  }
  return new Map([...parsed].map(([d, p]) => [d, p.commitments]));
}

/** Receiver-side Feldman check of the private part; returns the share or null (→ complaint). */
export function checkDealShare(m: DealMessage, commitments: Point[], x: bigint): bigint | null {
  const s = tryScalar(m.share);
  if (s === null) return null;
  return verifyShare(commitments, x, s) ? s : null;
}

/** Digest of a dealer's commitments, echoed by every party to detect a dealer that sent different commitments to different parties. */
export function commitmentDigest(commitments: readonly Point[]): string {
  return toHex(digest(concat(...commitments.map((p) => (p.is0() ? new Uint8Array(33) : p.toBytes(true))))));
}
