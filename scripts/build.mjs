#!/usr/bin/env node
// Build: WebAssembly kernels (AssemblyScript), Solidity contracts (solc-js) and TypeScript,
// each step skipped when its outputs are newer than its inputs, so `npm test` stays quick.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const log = (msg) => { if (!quiet) console.error(`build: ${msg}`); };

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)));
  return t;
}
function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${cmd} ${args.join(' ')} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

// 1. WebAssembly kernels: every assembly/<name>.ts that is not a library becomes dist/wasm/<name>.wasm.
const asc = join(root, 'node_modules/assemblyscript/bin/asc.js');
mkdirSync(join(root, 'dist/wasm'), { recursive: true });
const kernels = existsSync(join(root, 'assembly')) ? readdirSync(join(root, 'assembly')) : [];
for (const f of kernels.filter((f) => f.endsWith('.ts') && !f.startsWith('_'))) {
  const out = join(root, 'dist/wasm', f.replace(/\.ts$/, '.wasm'));
  if (newest(out) > newest(join(root, 'assembly'))) continue;
  log(`wasm ${f}`);
  run(process.execPath, [asc, join('assembly', f), '-O3', '--runtime', 'stub', '--enable', 'simd',
    '--noAssert', '--importMemory', '--initialMemory', '0', '--outFile', out]);
}

// 2. Contracts (when the chain layer is present).
const contracts = join(root, 'scripts/build-contracts.mjs');
if (existsSync(contracts)) run(process.execPath, [contracts, ...(quiet ? ['--quiet'] : [])]);

// 3. TypeScript.
log('tsc');
run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
