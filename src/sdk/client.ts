/**
 * The requester's and data owner's client: a thin holder of viem clients for one Tacit
 * deployment (its manifest), extended by actions that each live in their own file
 * (`actions/*.ts`), viem-style: `await listDatasets(client)`.
 */
import type { Account, Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { LocalLedger } from '../chain/local-ledger.js';
import { loadManifest, type TacitManifest } from '../chain/manifest.js';
import { TacitError } from '../errors.js';

export interface TacitClient {
  manifest: TacitManifest;
  /** Reads, and sends (serialised per account) when an account is given. */
  ledger: LocalLedger;
  account?: Account;
}

export class SdkError extends TacitError {
  override name = 'SdkError';
}

export interface CreateTacitClientParameters {
  /** The deployment: a parsed manifest, or the path of its JSON file. */
  manifest: TacitManifest | string;
  /** Default: the manifest's recorded RPC URL. */
  rpcUrl?: string;
  /** Needed for actions that send transactions. */
  account?: Account | Hex;
}

/**
 * @example
 * const client = createTacitClient({ manifest: 'manifest.json', account: process.env.TACIT_PRIVATE_KEY as Hex });
 */
export function createTacitClient(p: CreateTacitClientParameters): TacitClient {
  const manifest = typeof p.manifest === 'string' ? loadManifest(p.manifest) : p.manifest;
  const rpcUrl = p.rpcUrl ?? manifest.rpcUrl;
  if (!rpcUrl) throw new SdkError('no RPC URL', { hint: 'pass rpcUrl, or use a manifest that records one' });
  const account = typeof p.account === 'string' ? privateKeyToAccount(p.account) : p.account;
  return { manifest, ledger: new LocalLedger(rpcUrl, manifest), ...(account ? { account } : {}) };
}

export function requireAccount(client: TacitClient): Account {
  if (!client.account) throw new SdkError('this action sends a transaction: create the client with an account');
  return client.account;
}
