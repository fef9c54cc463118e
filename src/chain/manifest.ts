/**
 * The deployment manifest: the one JSON document every other part of Tacit (nodes, SDK,
 * CLI, sandbox) attaches to. It names the chain, the contract addresses and the parameters
 * they were deployed with; it is validated on load so that a typo fails here, with the
 * field named, and not as a puzzling revert later.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { getAddress, isAddress, type Address } from 'viem';
import { ManifestError } from './errors.js';

export const MANIFEST_VERSION = 1;

export interface TacitContracts {
  NodeRegistry: Address;
  DataRegistry: Address;
  TaskMarket: Address;
  /** The fixed-price shop for data tokens. */
  DataTokenSale: Address;
  /** ERC-20 of fees and stakes. */
  PaymentToken: Address;
  /** The implementation every data token clones. */
  DataTokenImplementation?: Address;
  /** Threshold keys (FROST group keys, epochs, members); absent in manifests from before it existed. */
  KeyRegistry?: Address;
  /** Locks and atomic settlement of clearing cycles (absent in manifests from before it). */
  Clearing?: Address;
  /** Zero-knowledge ceremonies and claims (src/chain/zk-ledger.ts); absent until they are deployed. */
  ZkCeremony?: Address;
  ZkClaims?: Address;
}

export interface TacitParameters {
  /** Minimum node stake, in payment-token units (decimal string). */
  minStake: string;
  /** Seconds between a node's exit request and its stake withdrawal. */
  exitDelay: number;
  /** Penalty per proven fault, in payment-token units (decimal string). */
  slashAmount: string;
  /** Longest allowed task, in seconds. */
  maxTaskDuration: number;
}

export interface TacitManifest {
  version: typeof MANIFEST_VERSION;
  chainId: number;
  /** RPC endpoint used for the deployment (may be omitted when shared). */
  rpcUrl?: string;
  deployer: Address;
  /** Block of the first deployment transaction: where log scans can start. */
  block: number;
  contracts: TacitContracts;
  /** True when PaymentToken is the freely mintable TestToken (sandbox only). */
  testPaymentToken: boolean;
  parameters: TacitParameters;
  /** ISO-8601 time of the deployment. */
  deployedAt: string;
}

const REQUIRED_CONTRACTS = ['NodeRegistry', 'DataRegistry', 'TaskMarket', 'DataTokenSale', 'PaymentToken'] as const;

/** Checks `value` is a well-formed manifest and returns it with checksummed addresses. */
export function validateManifest(value: unknown, source = 'manifest'): TacitManifest {
  const bad = (field: string, why: string): never => {
    throw new ManifestError(`invalid deployment manifest: ${field} ${why}`, {
      details: `in ${source}`,
      hint: 'regenerate it with `tacit chain deploy --out FILE`',
    });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('document', 'is not a JSON object');
  const m = value as Record<string, unknown>;
  if (m.version !== MANIFEST_VERSION) bad('version', `must be ${MANIFEST_VERSION}`);
  if (!Number.isSafeInteger(m.chainId) || (m.chainId as number) <= 0) bad('chainId', 'must be a positive integer');
  if (m.rpcUrl !== undefined && (typeof m.rpcUrl !== 'string' || !/^(https?|wss?):\/\//.test(m.rpcUrl))) {
    bad('rpcUrl', 'must be an http(s) or ws(s) URL');
  }
  const addr = (v: unknown, field: string): Address => {
    if (typeof v !== 'string' || !isAddress(v, { strict: false })) return bad(field, 'must be a 0x-prefixed 20-byte address');
    return getAddress(v as string);
  };
  const deployer = addr(m.deployer, 'deployer');
  if (!Number.isSafeInteger(m.block) || (m.block as number) < 0) bad('block', 'must be a non-negative integer');
  if (typeof m.contracts !== 'object' || m.contracts === null) bad('contracts', 'is missing');
  const c = m.contracts as Record<string, unknown>;
  const contracts = {} as TacitContracts;
  for (const name of REQUIRED_CONTRACTS) contracts[name] = addr(c[name], `contracts.${name}`);
  if (c.DataTokenImplementation !== undefined) {
    contracts.DataTokenImplementation = addr(c.DataTokenImplementation, 'contracts.DataTokenImplementation');
  }
  if (c.KeyRegistry !== undefined) contracts.KeyRegistry = addr(c.KeyRegistry, 'contracts.KeyRegistry');
  if (c.Clearing !== undefined) contracts.Clearing = addr(c.Clearing, 'contracts.Clearing');
  if (c.ZkCeremony !== undefined) contracts.ZkCeremony = addr(c.ZkCeremony, 'contracts.ZkCeremony');
  if (c.ZkClaims !== undefined) contracts.ZkClaims = addr(c.ZkClaims, 'contracts.ZkClaims');
  if (typeof m.testPaymentToken !== 'boolean') bad('testPaymentToken', 'must be true or false');
  if (typeof m.parameters !== 'object' || m.parameters === null) bad('parameters', 'is missing');
  const p = m.parameters as Record<string, unknown>;
  const uintString = (v: unknown, field: string): string => {
    if (typeof v !== 'string' || !/^(0|[1-9][0-9]*)$/.test(v)) return bad(field, 'must be a decimal integer string');
    return v as string;
  };
  const seconds = (v: unknown, field: string): number => {
    if (!Number.isSafeInteger(v) || (v as number) <= 0) return bad(field, 'must be a positive integer (seconds)');
    return v as number;
  };
  const parameters: TacitParameters = {
    minStake: uintString(p.minStake, 'parameters.minStake'),
    exitDelay: seconds(p.exitDelay, 'parameters.exitDelay'),
    slashAmount: uintString(p.slashAmount, 'parameters.slashAmount'),
    maxTaskDuration: seconds(p.maxTaskDuration, 'parameters.maxTaskDuration'),
  };
  if (typeof m.deployedAt !== 'string' || Number.isNaN(Date.parse(m.deployedAt))) bad('deployedAt', 'must be an ISO-8601 time');
  return {
    version: MANIFEST_VERSION,
    chainId: m.chainId as number,
    ...(m.rpcUrl !== undefined ? { rpcUrl: m.rpcUrl as string } : {}),
    deployer,
    block: m.block as number,
    contracts,
    testPaymentToken: m.testPaymentToken as boolean,
    parameters,
    deployedAt: m.deployedAt as string,
  };
}

/** Reads and validates a manifest file. Throws ManifestError. */
export function loadManifest(path: string): TacitManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ManifestError(`cannot read the deployment manifest ${path}`, {
      hint: 'deploy first with `tacit chain deploy --out FILE`, or pass the right path',
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ManifestError(`the deployment manifest ${path} is not valid JSON`, { cause });
  }
  return validateManifest(json, path);
}

/** Validates and writes a manifest atomically (temp file + rename), creating directories. */
export function writeManifest(path: string, manifest: TacitManifest): void {
  const valid = validateManifest(manifest);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(valid, null, 2)}\n`);
  renameSync(tmp, path);
}
