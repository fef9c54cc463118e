/**
 * The ONE place where the daemon picks how semi2k gets its correlated randomness (Beaver
 * triples …). semi2k's "trusted first party" mode lets compute party 0 deal the triples,
 * which gives party 0 every other party's masks — it learns every input — so the daemon never
 * uses it. An independent dealer (a node that is not a compute party, `{ kind: 'ttp' }`) or
 * dealer-free preprocessing (oblivious transfer, being built on branch `ot`) are the only
 * acceptable sources; until one is wired in here the daemon refuses semi2k tasks on-chain
 * (full refund) with the reason below. `tacit run` (one operator, all parties local) keeps
 * its own dealer process and is not affected.
 */
import type { PreprocessingConfig } from '../../mpc/semi2k/preprocessing.js';

export type Semi2kPreprocessing = { ok: true; config: PreprocessingConfig } | { ok: false; reason: string };

/**
 * How a semi2k session among `computeParties` gets its preprocessing, if it may run at all.
 * `dealers` are task parties that are not compute parties and offered to deal (none today:
 * the TaskMarket has no dealer role yet).
 */
export function semi2kPreprocessing(_computeParties: readonly string[], dealers: readonly string[] = []): Semi2kPreprocessing {
  const dealer = dealers.find((d) => !_computeParties.includes(d));
  if (dealer) return { ok: true, config: { kind: 'ttp', dealer } };
  return {
    ok: false,
    reason: 'semi2k needs an independent dealer or dealer-free preprocessing and neither is available (a trusted first party would learn every input)',
  };
}
