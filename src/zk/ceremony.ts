/**
 * The trusted setup of Tacit's Groth16 circuits as a ceremony among the network's own nodes
 * (Bowe, Gabizon, Miers — "Scalable Multi-party Computation for zk-SNARK Parameters in the
 * Random Beacon Model", eprint 2017/1050): phase 1, a powers-of-tau accumulator every node
 * re-randomises in turn; phase 2, per circuit, the same for the circuit's proving key. The
 * result is sound if at least one contributor destroyed its randomness — each contribution
 * runs in its own short-lived prover process (prover.ts), so the randomness never leaves it.
 *
 * The transcript is the list of files, one per step, and their SHA-256 hashes; the hashes go
 * on-chain (contracts/ZkCeremony.sol through the `CeremonyLedger` the caller supplies), so a
 * node that later receives the files checks (1) each file's hash against the chain, in order,
 * and (2) the cryptography with snarkjs: the final accumulator's contribution chain and the
 * proving key against the circuit and the accumulator. A tampered or substituted file fails
 * one of the two.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledCircuit } from './artifacts.js';
import { ZkCeremonyError } from './errors.js';
import type { Prover, VerificationKey } from './prover.js';

export type Bytes32 = `0x${string}`;

/** sha256 of a file as bytes32 hex. */
export function fileHash(path: string): Bytes32 {
  return `0x${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
}

/** Where the ceremony's transcript hashes are recorded and read back (the chain, or a test double). */
export interface CeremonyLedger {
  start(ceremonyId: Bytes32, initialHash: Bytes32, participants: readonly string[]): Promise<void>;
  contribute(ceremonyId: Bytes32, participant: string, previousHash: Bytes32, hash: Bytes32): Promise<void>;
  finalize(ceremonyId: Bytes32, finalHash: Bytes32): Promise<void>;
  transcript(ceremonyId: Bytes32): Promise<{ hashes: Bytes32[]; finalHash: Bytes32 | null }>;
}

/** Ceremony ids: keccak-free, tagged SHA-256 of the phase and its subject, as bytes32. */
export function phase1Id(power: number, label: string): Bytes32 {
  return `0x${createHash('sha256').update(`tacit-ptau-v1\0${power}\0${label}`).digest('hex')}`;
}
export function phase2Id(circuit: CompiledCircuit, ptauFinalHash: Bytes32): Bytes32 {
  return `0x${createHash('sha256').update(`tacit-phase2-v1\0${circuit.spec.id}\0${circuit.hash}\0${ptauFinalHash}`).digest('hex')}`;
}

/** The smallest powers-of-tau size that fits a circuit (2^power ≥ constraints + public inputs + 1). */
export function ptauPowerFor(constraints: number, publicInputs: number): number {
  let power = 8;
  while (2 ** power < constraints + publicInputs + 1) power++;
  return power;
}

export interface Phase1Files {
  dir: string;
  power: number;
  /** file i: after i contributions (0 = the fresh accumulator). */
  steps: string[];
  /** The accumulator prepared for phase 2 (Lagrange bases), after all contributions. */
  final: string;
}

const p1Step = (dir: string, power: number, i: number) => join(dir, `pot${power}_${String(i).padStart(4, '0')}.ptau`);

/** Phase 1: new accumulator, one contribution per participant (each its own process), prepared for phase 2. */
export async function runPhase1(
  prover: Prover,
  ledger: CeremonyLedger,
  options: { dir: string; power: number; label: string; participants: readonly string[]; proverFor?: (participant: string) => Prover },
): Promise<{ id: Bytes32; files: Phase1Files; finalHash: Bytes32 }> {
  const contributor = options.proverFor ?? (() => prover);
  const { dir, power, participants } = options;
  mkdirSync(dir, { recursive: true });
  const id = phase1Id(power, options.label);
  const steps = [p1Step(dir, power, 0)];
  await prover.ptauNew(power, steps[0]!);
  await ledger.start(id, fileHash(steps[0]!), participants);
  for (let i = 0; i < participants.length; i++) {
    const out = p1Step(dir, power, i + 1);
    await contributor(participants[i]!).ptauContribute(steps[i]!, out, participants[i]!);
    await ledger.contribute(id, participants[i]!, fileHash(steps[i]!), fileHash(out));
    steps.push(out);
  }
  const final = join(dir, `pot${power}_final.ptau`);
  await prover.ptauPrepare(steps[steps.length - 1]!, final);
  const finalHash = fileHash(final);
  await ledger.finalize(id, finalHash);
  return { id, files: { dir, power, steps, final }, finalHash };
}

export interface Phase2Files {
  dir: string;
  steps: string[];
  final: string;
}

const p2Step = (dir: string, circuitId: string, i: number) => join(dir, `${circuitId}_${String(i).padStart(4, '0')}.zkey`);

/** Phase 2 for one circuit: initial key from the r1cs and the final accumulator, one contribution per participant. */
export async function runPhase2(
  prover: Prover,
  ledger: CeremonyLedger,
  options: { dir: string; circuit: CompiledCircuit; ptauFinal: string; participants: readonly string[]; proverFor?: (participant: string) => Prover },
): Promise<{ id: Bytes32; files: Phase2Files; finalHash: Bytes32; vk: VerificationKey }> {
  const contributor = options.proverFor ?? (() => prover);
  const { dir, circuit, participants } = options;
  mkdirSync(dir, { recursive: true });
  const id = phase2Id(circuit, fileHash(options.ptauFinal));
  const steps = [p2Step(dir, circuit.spec.id, 0)];
  await prover.zkeyNew(circuit.r1cs, options.ptauFinal, steps[0]!);
  await ledger.start(id, fileHash(steps[0]!), participants);
  for (let i = 0; i < participants.length; i++) {
    const out = p2Step(dir, circuit.spec.id, i + 1);
    await contributor(participants[i]!).zkeyContribute(steps[i]!, out, participants[i]!);
    await ledger.contribute(id, participants[i]!, fileHash(steps[i]!), fileHash(out));
    steps.push(out);
  }
  const final = join(dir, `${circuit.spec.id}_final.zkey`);
  copyFileSync(steps[steps.length - 1]!, final);
  const finalHash = fileHash(final);
  await ledger.finalize(id, finalHash);
  return { id, files: { dir, steps, final }, finalHash, vk: await prover.exportVk(final) };
}

export interface TranscriptCheck {
  valid: boolean;
  /** What failed, naming the step; empty when valid. */
  problems: string[];
}

function checkHashes(files: readonly string[], final: string, recorded: { hashes: Bytes32[]; finalHash: Bytes32 | null }, phase: string): string[] {
  const problems: string[] = [];
  if (recorded.hashes.length !== files.length) problems.push(`${phase}: the chain records ${recorded.hashes.length} steps, the transcript has ${files.length}`);
  files.forEach((f, i) => {
    if (!existsSync(f)) problems.push(`${phase}: step ${i} file is missing`);
    else if (recorded.hashes[i] !== fileHash(f)) problems.push(`${phase}: step ${i} (${i === 0 ? 'initial' : `contribution ${i}`}) does not match the hash recorded on-chain`);
  });
  if (!recorded.finalHash) problems.push(`${phase}: the ceremony is not finalized on-chain`);
  else if (!existsSync(final) || recorded.finalHash !== fileHash(final)) problems.push(`${phase}: the final file does not match the hash recorded on-chain`);
  return problems;
}

/** Verifies phase 1 from its files and the chain: hashes in order, then every contribution (snarkjs). */
export async function verifyPhase1(prover: Prover, ledger: CeremonyLedger, id: Bytes32, files: Phase1Files): Promise<TranscriptCheck> {
  const problems = checkHashes(files.steps, files.final, await ledger.transcript(id), 'phase 1');
  // The last contributed file carries every contribution's proof of knowledge; the prepared file adds the Lagrange bases.
  const last = files.steps[files.steps.length - 1]!;
  if (!existsSync(last) || !(await verifies(() => prover.ptauVerify(last)))) problems.push('phase 1: a contribution does not verify (powers of tau)');
  else if (!existsSync(files.final) || !(await verifies(() => prover.ptauVerify(files.final)))) problems.push('phase 1: the prepared accumulator does not verify');
  return { valid: problems.length === 0, problems };
}

/** Verifies phase 2 of a circuit: hashes in order, then the proving key against the r1cs and the accumulator. */
export async function verifyPhase2(prover: Prover, ledger: CeremonyLedger, id: Bytes32, circuit: CompiledCircuit, ptauFinal: string, files: Phase2Files): Promise<TranscriptCheck> {
  const problems = checkHashes(files.steps, files.final, await ledger.transcript(id), 'phase 2');
  if (existsSync(files.final) && !(await verifies(() => prover.zkeyVerify(circuit.r1cs, ptauFinal, files.final)))) {
    problems.push(`phase 2 (${circuit.spec.id}): a contribution does not verify against the circuit and the accumulator`);
  }
  return { valid: problems.length === 0, problems };
}

/** A check that throws on a malformed file (a point off the curve, a truncated section) fails like a false one. */
async function verifies(check: () => Promise<boolean>): Promise<boolean> {
  try {
    return await check();
  } catch (err) {
    if ((err as { name?: string }).name === 'ZkToolsMissingError') throw err;
    return false;
  }
}

/** Throws ZkCeremonyError listing the problems when a check failed. */
export function assertTranscript(check: TranscriptCheck): void {
  if (!check.valid) throw new ZkCeremonyError('the ceremony transcript does not verify', { details: check.problems.join('; '), hint: 'do not use these keys; rerun the ceremony without the faulty contributor' });
}

/** A ledger kept in memory: for a node's local development setup only (tests use ZkCeremony.sol). */
export class MemoryCeremonyLedger implements CeremonyLedger {
  private readonly entries = new Map<string, { hashes: Bytes32[]; finalHash: Bytes32 | null }>();
  async start(id: Bytes32, initialHash: Bytes32) { this.entries.set(id, { hashes: [initialHash], finalHash: null }); }
  async contribute(id: Bytes32, _participant: string, previousHash: Bytes32, hash: Bytes32) {
    const e = this.entries.get(id);
    if (!e || e.hashes[e.hashes.length - 1] !== previousHash) throw new ZkCeremonyError('contribution does not extend the recorded transcript');
    e.hashes.push(hash);
  }
  async finalize(id: Bytes32, finalHash: Bytes32) { this.entries.get(id)!.finalHash = finalHash; }
  async transcript(id: Bytes32) { return this.entries.get(id) ?? { hashes: [], finalHash: null }; }
}
