#!/usr/bin/env node
// Build: WebAssembly kernels (AssemblyScript), Solidity contracts (solc-js), TypeScript and the console (Vite),
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
const assemblyDir = join(root, 'assembly');
for (const f of (existsSync(assemblyDir) ? readdirSync(assemblyDir) : []).filter((f) => f.endsWith('.ts') && !f.startsWith('_'))) {
  const out = join(root, 'dist/wasm', f.replace(/\.ts$/, '.wasm'));
  if (newest(out) > newest(join(root, 'assembly'))) continue;
  log(`wasm ${f}`);
  run(process.execPath, [asc, join('assembly', f), '-O3', '--runtime', 'stub', '--enable', 'simd',
    '--noAssert', '--importMemory', '--initialMemory', '0', '--outFile', out]);
}

// 2. Native helpers: native/<name>.c → dist/native/<name>.node, compiled against Node's own
// headers (N-API and the OpenSSL Node bundles; symbols resolve from the running node). Optional:
// without a C compiler or the headers, the code that uses them falls back to a slower path.
const nativeDir = join(root, 'native');
const nodeInclude = resolve(dirname(process.execPath), '../include/node');
// Library sources a shim compiles in (it #includes them; the library's own includes need its folders).
const libSecp = join(root, 'node_modules/secp256k1/src/secp256k1');
const extraIncludes = { 'secp256k1-strauss.c': existsSync(libSecp) ? ['-I', libSecp, '-I', join(libSecp, 'src')] : [] };
const nativeSources = existsSync(nativeDir) ? readdirSync(nativeDir) : [];
const kernels = nativeSources.filter((f) => f.endsWith('.c'));
// Headers no kernel's name prefixes (native/napi-args.h) are shared: they count for every kernel.
const sharedHeaders = nativeSources.filter((h) => h.endsWith('.h') && !kernels.some((k) => h.startsWith(k.replace(/\.c$/, '-'))));
for (const f of kernels) {
  const out = join(root, 'dist/native', f.replace(/\.c$/, '.node'));
  // A kernel may include headers of its own (native/<name>-*.h): they count as its sources.
  const parts = [...sharedHeaders, ...nativeSources.filter((h) => h.endsWith('.h') && h.startsWith(f.replace(/\.c$/, '-')))];
  if (newest(out) > Math.max(newest(join(nativeDir, f)), ...parts.map((h) => newest(join(nativeDir, h))))) continue;
  if (!existsSync(join(nodeInclude, 'node_api.h')) || !existsSync(join(nodeInclude, 'openssl/evp.h'))) {
    console.error(`build: native ${f} skipped (Node's headers are not at ${nodeInclude}); using the slower fallback`);
    continue;
  }
  log(`native ${f}`);
  mkdirSync(join(root, 'dist/native'), { recursive: true });
  const cc = process.env.CC || 'cc';
  const r = spawnSync(cc, ['-O2', '-shared', '-fPIC', '-fvisibility=hidden', '-Wall', '-Wextra', '-Werror', '-I', nodeInclude, ...(extraIncludes[f] ?? []), join('native', f), '-o', out], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) console.error(`build: native ${f} not built (${cc} ${r.error ? r.error.message : `exit ${r.status}`}); using the slower fallback`);
}

// 3. Contracts (when the chain layer is present).
const contracts = join(root, 'scripts/build-contracts.mjs');
if (existsSync(contracts)) run(process.execPath, [contracts, ...(quiet ? ['--quiet'] : [])]);

// 4. TypeScript.
log('tsc');
run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);

// 5. The console (console/: Preact + Vite), served by each node at `/`: typechecked with its
// own tsconfig (DOM, JSX), bundled by Vite into dist/console.
const consoleDir = join(root, 'console');
const consoleOut = join(root, 'dist/console/index.html');
if (existsSync(consoleDir) && newest(consoleOut) <= Math.max(newest(consoleDir), newest(join(root, 'node_modules/preact/package.json')))) {
  log('console (tsc, vite build)');
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join('console', 'tsconfig.json')]);
  run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join('console', 'vite.config.ts')]);
}
