/**
 * Who does what in a PSI session: each set's route through the parties' keys, where each
 * fully masked set goes, who shuffles, and so who learns what. Pure and deterministic: every
 * party derives the same plan from the same options (the hello message checks that they did).
 *
 * Party P_j's set starts at P_j and visits every party once (its *route*); each party
 * raises the points to its own secret key and passes the batch on, so after the last hop
 * the set is F_j = {H(x)^(k_0 … k_(m-1))}: masked by every key, the same value for the same
 * id whoever owns it. Routes follow the ring P_j, P_(j+1), … (in `parties` order), except
 * that the primary receiver R (receivers[0]) is never the last hop of another party's set,
 * so R never holds a fully masked set but its own. Then:
 *
 * - R gets its own F_R back *in its own order*, so it can map matches back to ids (in
 *   cardinality-only mode the last hop shuffles it first, and R can only count);
 * - with two parties, R is the last hop of the other set, computes its F and intersects:
 *   the classic protocol of Huberman, Franklin and Hogg (1999), as deployed in Google's
 *   Private Join and Compute (Ion et al., EuroS&P 2020);
 * - with three or more, every other F_j goes to a combiner C (the party after R in
 *   `parties`), which intersects them and sends R that intersection, padded with random
 *   points to the size of the smallest of those sets and shuffled; R intersects it with F_R.
 *   (Sending every F_j to R would show R each pairwise intersection X_R ∩ X_j, ids and all.)
 *
 * Leakage beyond the output, for semi-honest non-colluding parties: every party learns every
 * set's size. With three or more parties, C learns the size of the intersection of any of
 * the non-R sets (it holds them separately), and the party before R in the ring, last hop of
 * both R's and C's sets, learns |X_R ∩ X_C|; nobody but the receivers learns an id or the
 * size of the result. Sets reach a party only masked by keys it lacks, and any set that
 * returns to its owner is shuffled first. Other receivers get the result from R (ids they
 * hold themselves, or the size), as in FATE's intersection for vertical learning, and trust
 * R to report it honestly.
 */
import { createHash } from 'node:crypto';
import { PsiUsageError } from './errors.js';
import { PSI_DST } from './hash-to-curve.js';

export const PSI_PROTOCOL_VERSION = 1;
export const DEFAULT_BATCH = 1 << 14;
export const MAX_BATCH = 1 << 20;

export interface ChainPlan {
  /** Index of the party whose set this is (route[0]). */
  owner: number;
  /** The parties whose keys mask the set, in order; route[m - 1] is its last hop. */
  route: number[];
  /** Index of the party that receives the fully masked set. */
  dest: number;
  /** Whether the last hop shuffles the fully masked set before delivering it. */
  shuffle: boolean;
}

/** One masking pass of this party: the set of `chain`, at position `pos` of its route. */
export interface WorkItem {
  chain: number;
  pos: number;
}

export interface PsiPlan {
  parties: readonly string[];
  index: number;
  receivers: readonly string[];
  /** Index of the receiver that computes the intersection. */
  primary: number;
  /** Index of the party that intersects the non-primary sets (three or more parties). */
  combiner: number | undefined;
  cardinalityOnly: boolean;
  chains: ChainPlan[];
  /**
   * This party's passes in the order it runs them: by position, then chain. Every party
   * sorts the same way, so on each link the n-th message sent is the n-th one expected,
   * and a pass at position p waits only on passes at position p - 1: no deadlock.
   */
  work: WorkItem[];
  /** Communication rounds on the critical path, pipelining aside (the same at every party). */
  rounds: number;
  /** SHA-256 of the parameters every party must share (sent in the hello). */
  digest: Uint8Array;
}

export interface PlanOptions {
  parties: readonly string[];
  receivers: readonly string[];
  cardinalityOnly?: boolean;
}

function distinctStrings(xs: unknown, title: string): string[] {
  if (!Array.isArray(xs)) throw new PsiUsageError(`${title} must be an array of party ids`);
  const seen = new Set<string>();
  for (let i = 0; i < xs.length; i++) {
    if (typeof xs[i] !== 'string' || xs[i].length === 0) throw new PsiUsageError(`${title}[${i}] must be a non-empty string`);
    if (seen.has(xs[i])) throw new PsiUsageError(`${title} lists party '${xs[i]}' twice`);
    seen.add(xs[i]);
  }
  return xs as string[];
}

export function planPsi(self: string, sessionParties: readonly string[], opts: PlanOptions): PsiPlan {
  const parties = distinctStrings(opts.parties, 'parties');
  const receivers = distinctStrings(opts.receivers, 'receivers');
  if (parties.length < 2) throw new PsiUsageError(`PSI needs at least 2 parties, got ${parties.length}`);
  if (receivers.length === 0) throw new PsiUsageError('receivers must name at least one party', { hint: 'Name the parties that should learn the intersection (or its size).' });
  for (const p of parties) if (!sessionParties.includes(p)) throw new PsiUsageError(`party '${p}' is not in the session`);
  for (const r of receivers) if (!parties.includes(r)) throw new PsiUsageError(`receiver '${r}' is not one of the PSI parties`);
  const index = parties.indexOf(self);
  if (index < 0) throw new PsiUsageError(`this party ('${self}') is not one of the PSI parties`);
  const cardinalityOnly = opts.cardinalityOnly ?? false;
  if (typeof cardinalityOnly !== 'boolean') throw new PsiUsageError('cardinalityOnly must be a boolean');

  const m = parties.length;
  const primary = parties.indexOf(receivers[0]!);
  const combiner = m >= 3 ? (primary + 1) % m : undefined;
  const chains: ChainPlan[] = [];
  for (let j = 0; j < m; j++) {
    const route = Array.from({ length: m }, (_, h) => (j + h) % m);
    // With three or more parties R must not be the last hop of another's set.
    if (m >= 3 && route[m - 1] === primary) [route[m - 2], route[m - 1]] = [route[m - 1]!, route[m - 2]!];
    const dest = j === primary || m === 2 ? primary : combiner!;
    // A set that comes back to its owner is shuffled, unless the owner may map it (R, ids mode).
    const shuffle = dest === j && !(j === primary && !cardinalityOnly);
    chains.push({ owner: j, route, dest, shuffle });
  }
  const work: WorkItem[] = [];
  for (let pos = 0; pos < m; pos++) for (const c of chains) if (c.route[pos] === index) work.push({ chain: c.owner, pos });
  const rounds = 1 + m + (m >= 3 ? 1 : 0) + (receivers.length > 1 ? 1 : 0);
  const digest = createHash('sha256')
    .update(JSON.stringify({ protocol: 'tacit-psi', version: PSI_PROTOCOL_VERSION, suite: PSI_DST, parties, receivers, cardinalityOnly }))
    .digest();
  return { parties, index, receivers, primary, combiner, cardinalityOnly, chains, work, rounds, digest };
}
