/**
 * Program `key-sign` v1: a threshold of members sign a message with their group key
 * (FROST, RFC 9591; src/keys/sign-session.ts). Parameters: keyId, message (hex), signers,
 * optional nonceIndex (preprocessed nonces → one round). Output at every signer: the
 * signature (R ‖ z, hex) and the key it verifies under. `stats.seconds` excludes unlocking
 * the share from the keystore (a KDF run, a property of the store, not of the protocol).
 */
import { admitKeyCeremony, KEY_GUARDS } from './key-admit.js';
import { runSign } from '../../keys/sign-session.js';
import { param, type Program } from '../program.js';
import { isStringArray, keyChannel, keyLocal } from './key-common.js';

const isHex = (v: unknown): v is string => typeof v === 'string' && /^([0-9a-fA-F]{2})*$/.test(v);
const isIndexMap = (v: unknown): v is Record<string, number> | undefined =>
  v === undefined || (typeof v === 'object' && v !== null && Object.values(v).every((x) => Number.isInteger(x) && (x as number) >= 0));

export const keySignProgram: Program = {
  name: 'key-sign',
  version: '1.0.0',
  summary: 'a threshold of members sign a message with their FROST group key',
  moduleUrl: import.meta.url,
  admit: admitKeyCeremony,
  defaultGuards: KEY_GUARDS,
  async run(ctx) {
    const keyId = param(ctx.plan, 'keyId', isHex, 'a hex key id');
    const message = param(ctx.plan, 'message', isHex, 'a hex message');
    const signers = param(ctx.plan, 'signers', isStringArray, 'a list of signer names');
    const nonceIndex = param(ctx.plan, 'nonceIndex', isIndexMap, 'a map of signer → nonce index');
    const l = keyLocal(ctx);
    const ch = keyChannel(ctx);
    const b0 = ctx.net.meter.bytesSent();
    const out = await runSign({ keyId, message, signers, nonceIndex }, { channel: ch, dir: l.keyDir, passphrase: l.passphrase });
    return { output: { ...out }, stats: { seconds: out.protocolSeconds, bytesSent: ctx.net.meter.bytesSent() - b0, rounds: ch.rounds } };
  },
};
