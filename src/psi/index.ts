/**
 * Private set intersection: ECDH-PSI over Curve25519 for two or more parties (`runPsi`), the
 * RFC 9380 hash to the curve it uses, and row alignment for vertical learning.
 * Design, measurements and leakage: docs/psi.md.
 */
export { runPsi, type PsiOptions, type PsiResult, type PsiStats } from './run-psi.js';
export { alignByIntersection, intersectionIndices, type AlignOptions } from './align.js';
export { compareIds, distinctIds } from './ids.js';
export { planPsi, type PsiPlan, type ChainPlan } from './plan.js';
export { PSI_DST, hashIdsToU, hashToCurveU, expandMessageXmd, hashToField, mapPairsToU } from './hash-to-curve.js';
export { MaskingKey, isCanonicalU } from './masking-key.js';
export { PsiError, PsiUsageError, PsiPeerError, PsiMalformedMessageError, PsiConfigMismatchError, PsiAbortedError } from './errors.js';
export { runPsiWith, defaultPsiProtocol, PSI_PROTOCOLS, type PsiProtocol } from './select.js';
export { runOprfPsi } from './oprf/run-oprf-psi.js';
