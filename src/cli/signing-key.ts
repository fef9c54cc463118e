/**
 * Where the CLI gets the chain signing key: an encrypted Web3 Secret Storage v3 keystore
 * (`--keystore FILE`, passphrase in TACIT_KEYSTORE_PASSPHRASE) or a raw key in
 * TACIT_PRIVATE_KEY. Keys never come from flags (they would land in shell history and `ps`)
 * and never appear in any message.
 */
import { readFileSync } from 'node:fs';
import type { Hex } from 'viem';
import { decryptKeystore } from '../crypto/keystore.js';
import { TacitError } from '../errors.js';

export class SigningKeyError extends TacitError {
  override name = 'SigningKeyError';
}

export async function loadSigningKey(options: { keystore?: string }, env: NodeJS.ProcessEnv = process.env): Promise<Hex> {
  if (options.keystore) {
    const passphrase = env.TACIT_KEYSTORE_PASSPHRASE;
    if (passphrase === undefined) {
      throw new SigningKeyError('--keystore needs the passphrase in TACIT_KEYSTORE_PASSPHRASE');
    }
    let text: string;
    try {
      text = readFileSync(options.keystore, 'utf8');
    } catch (cause) {
      throw new SigningKeyError(`cannot read keystore file ${options.keystore}`, { cause });
    }
    return decryptKeystore(text, passphrase);
  }
  const raw = env.TACIT_PRIVATE_KEY?.trim();
  if (!raw) {
    throw new SigningKeyError('no signing key', {
      hint: 'set TACIT_PRIVATE_KEY, or pass --keystore FILE with TACIT_KEYSTORE_PASSPHRASE set',
    });
  }
  const hex = raw.startsWith('0x') || raw.startsWith('0X') ? raw.slice(2) : raw;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new SigningKeyError('TACIT_PRIVATE_KEY is not a 32-byte hex private key', {
      hint: 'expected 64 hex digits, optionally 0x-prefixed',
    });
  }
  return `0x${hex.toLowerCase()}`;
}
