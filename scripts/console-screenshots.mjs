#!/usr/bin/env node
// Regenerates the console's screenshots in docs/console/ (shown in docs/console.md): builds,
// then runs the console's browser test (a chain, three nodes, Chromium) with
// TACIT_CONSOLE_SCREENSHOTS set, which saves a full-page PNG of each page as it goes.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = fileURLToPath(new URL('../docs/console/', import.meta.url));
const run = (args, env = {}) => {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(['scripts/build.mjs', '--quiet']);
run(['scripts/test.mjs', 'test/console/console.test'], { TACIT_CONSOLE_SCREENSHOTS: out });
console.error(`console screenshots: written to ${out}`);
