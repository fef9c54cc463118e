/**
 * The well-known development accounts anvil funds at genesis (its default mnemonic). For the
 * embedded chain, tests and the sandbox only: these keys are public and must never hold
 * anything of value on a real chain.
 */
import { mnemonicToAccount, type HDAccount } from 'viem/accounts';
import { bytesToHex, type Hex } from 'viem';

export const ANVIL_DEV_MNEMONIC = 'test test test test test test test test test test test junk';
/** anvil funds this many accounts by default. */
export const ANVIL_DEV_ACCOUNT_COUNT = 10;

/** Dev account `index` (0-9 are funded with 10 000 ETH each by anvil). */
export function devAccount(index: number): HDAccount {
  return mnemonicToAccount(ANVIL_DEV_MNEMONIC, { addressIndex: index });
}

/** Private key of dev account `index` (test-only, public knowledge). */
export function devPrivateKey(index: number): Hex {
  const key = devAccount(index).getHdKey().privateKey;
  if (!key) throw new Error('dev account has no private key');
  return bytesToHex(key);
}
