/**
 * Tacit's version, read once from the repository's package.json (found by walking up from
 * this module, which works from src/ under a TypeScript loader and from dist/src/ alike).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function tacitVersion(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tacit' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // not here: go up
    }
    dir = dirname(dir);
  }
  return (cached = '0.0.0-unknown');
}
