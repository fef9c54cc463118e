/**
 * What a clearing cycle publishes: a commitment to the settled set and the settlement
 * digest the cycle's compute parties approve on-chain (contracts/Clearing.sol).
 *
 * No one party knows the settled set, so the commitment is assembled from the banks: each
 * bank hashes its own settled payments with a fresh 32-byte salt (hiding: SHA-256 of a
 * salted message), h_b = SHA-256("tacit.clearing.bank.v1" ‖ cycle ‖ bank ‖ salt ‖ payments),
 * and sends h_b to every member; the commitment is SHA-256("tacit.clearing.set.v1" ‖ cycle ‖
 * h_0 ‖ … ‖ h_{B−1}) in bank order. A bank keeps its salt and can later open its part to an
 * auditor; every payment is committed once, by its payer.
 *
 * The settlement digest binds what the contract applies: keccak256(abi.encode(uint256
 * cycleId, int256[] nets, bytes32 settledSet)), nets in token units in the cycle's bank
 * order. Clearing.sol recomputes it from the settle call's arguments.
 */
import { createHash, randomBytes } from 'node:crypto';
import { encodeAbiParameters, keccak256, type Hex } from 'viem';
import type { BankQueue } from './queue.js';

export function bankCommitment(cycleId: bigint, q: BankQueue, settledIds: readonly string[], salt: Uint8Array): Buffer {
  const settled = new Set(settledIds);
  const lines = q.payments
    .filter((p) => settled.has(p.id))
    .map((p) => `${p.id},${p.to},${p.amount}`)
    .sort();
  return createHash('sha256')
    .update(`tacit.clearing.bank.v1\n${cycleId}\n${q.bank}\n`)
    .update(salt)
    .update('\n' + lines.join('\n'))
    .digest();
}

export function freshSalt(): Buffer {
  return randomBytes(32);
}

export function settledSetCommitment(cycleId: bigint, perBank: readonly Uint8Array[]): Hex {
  const h = createHash('sha256').update(`tacit.clearing.set.v1\n${cycleId}\n`);
  for (const x of perBank) h.update(x);
  return `0x${h.digest('hex')}`;
}

export function settlementDigest(cycleId: bigint, nets: readonly bigint[], settledSet: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'int256[]' }, { type: 'bytes32' }], [cycleId, [...nets], settledSet]));
}
