#!/usr/bin/env node
// The `tacit` command: runs the compiled CLI (build first with `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const main = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  console.error('tacit: not built yet — run `npm run build` in the repository first.');
  process.exit(2);
}
await import(main);
