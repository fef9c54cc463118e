/**
 * Compiled circuits, cached on disk by the SHA-256 of their generated source, so a circuit
 * is compiled once per machine (compiling the depth-20 Merkle circuit takes seconds) and
 * any change to a template or a constant gives a new directory. Default cache:
 * $TACIT_ZK_CACHE, else <package>/dist/zk-cache (a build output, gitignored).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { circuitHash, circuitSource, type CircuitSpec } from './circuits/circuit.js';
import type { Prover } from './prover.js';
import { proverScriptPath } from './prover.js';

export interface CompiledCircuit {
  spec: CircuitSpec;
  hash: string;
  dir: string;
  r1cs: string;
  wasm: string;
  constraints: number;
}

export function defaultZkCacheDir(): string {
  return process.env.TACIT_ZK_CACHE ?? join(resolve(dirname(proverScriptPath()), '..'), 'dist', 'zk-cache');
}

/** Compiles `spec` unless its artifacts are cached; returns their paths and constraint count. */
export async function compileCircuit(prover: Prover, spec: CircuitSpec, cacheDir = defaultZkCacheDir()): Promise<CompiledCircuit> {
  const hash = circuitHash(spec);
  const dir = join(cacheDir, 'circuits', `${spec.id}-${hash.slice(0, 16)}`);
  const name = 'circuit';
  const r1cs = join(dir, `${name}.r1cs`);
  const wasm = join(dir, `${name}_js`, `${name}.wasm`);
  if (!existsSync(r1cs) || !existsSync(wasm)) {
    mkdirSync(dir, { recursive: true });
    const src = join(dir, `${name}.circom`);
    writeFileSync(src, circuitSource(spec));
    await prover.compile(src, dir);
  }
  const info = await prover.info(r1cs);
  return { spec, hash, dir, r1cs, wasm, constraints: info.constraints };
}
