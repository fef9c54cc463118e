/**
 * The ONE place where the daemon picks how semi2k gets its correlated randomness (Beaver
 * triples, truncation pairs, bits, shuffles). semi2k's "trusted first party" mode lets compute
 * party 0 deal the triples, which gives party 0 every other party's masks — it learns every
 * input — so the daemon never uses it. The default is dealer-free preprocessing from
 * oblivious transfer between the compute parties themselves (`src/ot`, `mpc/semi2k/
 * ot-preprocessing.ts`: no party is trusted beyond semi2k's own dishonest-majority,
 * semi-honest model); an independent dealer (a task party that is not a compute party) is
 * used when the task offers one. `tacit run` (one operator, all parties local) chooses its own.
 */
import { defaultSemi2kPreprocessing, type PreprocessingConfig } from '../../mpc/semi2k/preprocessing.js';

export type Semi2kPreprocessing = { ok: true; config: PreprocessingConfig } | { ok: false; reason: string };

/**
 * How a semi2k session among `computeParties` gets its preprocessing, if it may run at all.
 * `dealers` are task parties that are not compute parties and offered to deal (none today:
 * the TaskMarket has no dealer role yet).
 */
export function semi2kPreprocessing(computeParties: readonly string[], dealers: readonly string[] = []): Semi2kPreprocessing {
  const dealer = dealers.find((d) => !computeParties.includes(d));
  if (dealer) return { ok: true, config: { kind: 'ttp', dealer } };
  if (computeParties.length < 2) return { ok: false, reason: 'semi2k needs at least two compute parties' };
  const config = defaultSemi2kPreprocessing();
  // Never a compute party as dealer, whatever the default becomes.
  if (config.kind === 'tfp') return { ok: false, reason: 'semi2k with a trusted first party would let it learn every input' };
  return { ok: true, config };
}
