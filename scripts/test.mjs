#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's built-in test runner.
// `npm test -- <filter>` runs only the files whose path contains <filter>.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = [];
(function walk(dir) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.test.js')) files.push(p);
  }
})(join(root, 'dist/test'));
const chosen = files
  .filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)))
  .sort();
if (chosen.length === 0) {
  console.error('test: no test files matched');
  process.exit(1);
}
// Test nodes are throw-away: TACIT_SCRYPT_N is the keystore's test-only escape below the KDF
// cost floor (src/crypto/keystore.ts); the floor test unsets it to check the refusal.
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=300000', ...chosen], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TACIT_SCRYPT_N: process.env.TACIT_SCRYPT_N || '1024' },
});
process.exit(r.status ?? 1);
