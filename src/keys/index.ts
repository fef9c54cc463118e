/** Threshold keys: FROST(secp256k1, SHA-256) key generation, signing, refresh and resharing. */
export * from './errors.js';
export * from './group-key.js';
export * from './signing.js';
export { Channel } from './channel.js';
export { runDkg, type DkgParams } from './dkg.js';
export { runRefresh, type RefreshParams } from './refresh.js';
export { runReshare, type ReshareParams } from './reshare.js';
export { runSign, nextNonceIndex, type SignParams, type SignOutcome } from './sign-session.js';
export { listShareFiles, readShareFile, unlockShare, type ShareFile } from './share-store.js';
export { DEFAULT_NONCE_BATCH, type CeremonyOptions } from './holder.js';
