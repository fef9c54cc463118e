// The README's "Run a node" section, run as written: its first shell block is extracted from
// README.md (so the two cannot drift) and run by bash in a scratch directory that links the
// built tree — a development chain, three node processes, data imported, published and put
// on sale, a requester funded, tokens bought, a PSI task created from the CLI, followed to
// settlement and its result opened. Only the install line (`npm ci && npm run build`) is
// skipped: the suite runs in the tree it has just built. Each step's exit status is checked
// (bash -e), and the output of the steps that matter is checked against plaintext.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsvTable } from '../../src/data/csv.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The first ```sh block of README.md's "## Run a node" section. */
export function runANodeBlock(readme: string): string {
  const start = readme.indexOf('## Run a node');
  assert.ok(start >= 0, 'README.md has no "## Run a node" section');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 5));
  const m = /```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'the "Run a node" section has no sh block');
  return m[1]!;
}

test('README "Run a node": three nodes, data for sale, a PSI task created from the CLI settles with the right answer', { timeout: 600_000 }, async () => {
  const block = runANodeBlock(readFileSync(join(root, 'README.md'), 'utf8'));
  const lines = block.split('\n');
  assert.match(lines[0]!, /^npm ci && npm run build$/, 'the block starts with the install line');
  const script = ['set -euo pipefail', "trap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT", ...lines.slice(1)].join('\n');

  const dir = mkdtempSync(join(tmpdir(), 'tacit-readme-'));
  try {
    for (const entry of ['bin', 'dist', 'data', 'node_modules', 'package.json']) symlinkSync(join(root, entry), join(dir, entry));
    writeFileSync(join(dir, 'flow.sh'), script);
    const env: NodeJS.ProcessEnv = { ...process.env, TACIT_SCRYPT_N: '1024' };
    delete env['TACIT_PRIVATE_KEY'];
    delete env['TACIT_PASSPHRASE'];
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('bash', ['flow.sh'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    const logs = ['chain', 'bank', 'bureau', 'telco'].map((n) => {
      try {
        return `--- demo-${n}.log (tail)\n${readFileSync(join(dir, `demo-${n}.log`), 'utf8').split('\n').slice(-15).join('\n')}`;
      } catch {
        return '';
      }
    });
    assert.equal(code, 0, `the README flow failed:\n${stderr.slice(-3000)}\n${logs.join('\n')}`);

    // node info shows the on-chain stake and eligibility.
    assert.match(stdout, /stake\s+\d+ on-chain \(minimum \d+\) — eligible for tasks/);
    // data sale told the buyer how to buy.
    assert.match(stdout, /is for sale: 1000000000000000000 per use, 10 uses minted for sale/);
    // the task settled, and the receiver's result is the plaintext intersection size.
    assert.match(stdout, /Settled/);
    const a = readCsvTable(join(root, 'data/breast_hetero_guest.csv'), { idColumn: 'id' }).ids;
    const b = new Set(readCsvTable(join(root, 'data/breast_hetero_host.csv'), { idColumn: 'id' }).ids);
    const size = a.filter((id) => b.has(id)).length;
    assert.match(stdout, new RegExp(`result:\\n\\s+size:\\s+${size}\\b`), `expected size ${size} in:\n${stdout.slice(-2000)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
