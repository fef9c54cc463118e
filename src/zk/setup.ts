/**
 * Proving and verification keys of a circuit for one machine: compiled circuit + keys from a
 * ceremony, cached under the zk cache dir by circuit hash. `localSetup` runs the ceremony with
 * local contributors only — for development, tests and benchmarks; a network runs
 * `tacit zk ceremony` among its nodes instead and every node verifies the transcript.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileCircuit, defaultZkCacheDir, type CompiledCircuit } from './artifacts.js';
import { MemoryCeremonyLedger, ptauPowerFor, runPhase1, runPhase2 } from './ceremony.js';
import { circuitHash, type CircuitSpec } from './circuits/circuit.js';
import type { Prover, VerificationKey } from './prover.js';

export interface CircuitKeys {
  circuit: CompiledCircuit;
  zkey: string;
  vk: VerificationKey;
}

/** True when `localSetup` would find the circuit's keys in the cache (no compile, no ceremony). */
export function hasLocalKeys(spec: CircuitSpec, cacheDir = defaultZkCacheDir()): boolean {
  const dir = join(cacheDir, 'circuits', `${spec.id}-${circuitHash(spec).slice(0, 16)}`);
  return existsSync(join(dir, 'local_final.zkey')) && existsSync(join(dir, 'local_vk.json'));
}

/** Smallest accumulator size used locally: one cached ptau serves every small circuit. */
export const LOCAL_MIN_POWER = 10;

/** A locally made, cached powers-of-tau accumulator of size 2^power, prepared for phase 2. */
export async function localPtau(prover: Prover, power: number, cacheDir = defaultZkCacheDir(), contributors = 1): Promise<string> {
  const ptauDir = join(cacheDir, 'ptau', `local-${power}`);
  const ptauFinal = join(ptauDir, `pot${power}_final.ptau`);
  if (!existsSync(ptauFinal)) {
    const participants = Array.from({ length: contributors }, (_, i) => `local-${i + 1}`);
    await runPhase1(prover, new MemoryCeremonyLedger(), { dir: ptauDir, power, label: 'local', participants });
  }
  return ptauFinal;
}

/**
 * A cached local accumulator of size 2^need … 2^(need+3), the smallest there is: a larger
 * accumulator serves a smaller circuit, and preparing a new one takes minutes.
 */
export function cachedLocalPtau(need: number, cacheDir = defaultZkCacheDir()): string | undefined {
  for (let power = need; power <= need + 3; power++) {
    const f = join(cacheDir, 'ptau', `local-${power}`, `pot${power}_final.ptau`);
    if (existsSync(f)) return f;
  }
  return undefined;
}

/** The accumulator size a compiled circuit needs locally. */
export function localPowerFor(circuit: CompiledCircuit): number {
  return Math.max(LOCAL_MIN_POWER, ptauPowerFor(circuit.constraints, circuit.spec.publicInputs.length));
}

/** Compiled circuit + keys from a local ceremony with `contributors` separate contributions (cached). */
export async function localSetup(prover: Prover, spec: CircuitSpec, options: { cacheDir?: string; contributors?: number } = {}): Promise<CircuitKeys> {
  const cacheDir = options.cacheDir ?? defaultZkCacheDir();
  const circuit = await compileCircuit(prover, spec, cacheDir);
  const zkey = join(circuit.dir, 'local_final.zkey');
  const vkFile = join(circuit.dir, 'local_vk.json');
  if (existsSync(zkey) && existsSync(vkFile)) return { circuit, zkey, vk: JSON.parse(readFileSync(vkFile, 'utf8')) };
  const need = localPowerFor(circuit);
  const ptauFinal = cachedLocalPtau(need, cacheDir) ?? (await localPtau(prover, need, cacheDir, options.contributors ?? 1));
  const participants = Array.from({ length: options.contributors ?? 1 }, (_, i) => `local-${i + 1}`);
  const p2 = await runPhase2(prover, new MemoryCeremonyLedger(), { dir: join(circuit.dir, 'local-phase2'), circuit, ptauFinal, participants });
  copyFileSync(p2.files.final, zkey);
  writeFileSync(vkFile, JSON.stringify(p2.vk));
  return { circuit, zkey, vk: p2.vk };
}
