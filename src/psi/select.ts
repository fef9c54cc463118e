/**
 * Which PSI protocol runs: the OT-based OPRF protocol (oprf/run-oprf-psi.ts, KKRT 2016) for
 * two parties — several times faster, since after 128 base OTs it is AES and hashing — and
 * the ECDH protocol (run-psi.ts) for three or more parties and for cardinality-only results,
 * which the OPRF protocol cannot give (its receiver sees which of its items matched).
 */
import type { Network } from '../net/types.js';
import { PsiUsageError } from './errors.js';
import { runOprfPsi } from './oprf/run-oprf-psi.js';
import { runPsi, type PsiOptions, type PsiResult } from './run-psi.js';

export type PsiProtocol = 'oprf' | 'ecdh';
export const PSI_PROTOCOLS: readonly PsiProtocol[] = ['oprf', 'ecdh'];

/** The fastest protocol that can do the job. */
export function defaultPsiProtocol(parties: number, cardinalityOnly: boolean): PsiProtocol {
  return parties === 2 && !cardinalityOnly ? 'oprf' : 'ecdh';
}

/** Runs PSI with `protocol` (default: `defaultPsiProtocol`). */
export async function runPsiWith(net: Network, options: PsiOptions & { protocol?: PsiProtocol }): Promise<PsiResult> {
  const protocol = options.protocol ?? defaultPsiProtocol(options.parties?.length ?? 0, options.cardinalityOnly === true);
  if (protocol === 'ecdh') return runPsi(net, options);
  if (protocol !== 'oprf') throw new PsiUsageError(`unknown PSI protocol "${String(protocol)}"`, { hint: 'Use oprf or ecdh.' });
  return runOprfPsi(net, options);
}
