/** Additively homomorphic encryption: Paillier and its Damgård–Jurik short-exponent variant. */
export * from './errors.js';
export * from './keys.js';
export * from './paillier.js';
export * from './encoding.js';
export * from './packing.js';
export { ObfuscatorSource, type FixedBaseMethod } from './obfuscator.js';
export { RandomnessPool } from './randomness-pool.js';
export { FixedExponent, CombFixedBase, OpenSslFixedBase, type ModexpBackend } from './modexp.js';
