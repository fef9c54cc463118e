/**
 * The chain layer: Solidity ledger artifacts, typed viem bindings, the embedded anvil chain,
 * deployment and the manifest everything else attaches to.
 */
export * from './algorithm-id.js';
export * from './artifacts.js';
export * from './anvil.js';
export * from './clients.js';
export * from './contracts.js';
export * from './deploy.js';
export * from './dev-accounts.js';
export * from './embedded.js';
export * from './errors.js';
export * from './manifest.js';
export * from './ports.js';
export * from './revert.js';
export * from './roles.js';
export * from './local-ledger.js';
