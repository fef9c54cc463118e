/** Oblivious transfer: base OTs, IKNP/KKRT extension, the KOS check and the OT kinds built on them. */
export { baseOtBothWays } from './base-ot.js';
export { channelTo, type OtChannel } from './channel.js';
export { OtConsistencyError, OtProtocolError } from './errors.js';
export { ExtensionReceiver, ExtensionSender, KAPPA, setupOtPair, type OtPair } from './iknp.js';
export { KOS_EXTRA } from './kos-check.js';
export * from './transfers.js';
