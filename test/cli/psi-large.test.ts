// `tacit run psi` with a large result (issue 9 "Also found": with ~30,000+ ids the party
// process exited before its result line reached the launcher): 50,000 shared ids must
// arrive whole on stdout (--json) and in the file the receiver writes itself (--out).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tacit = fileURLToPath(new URL('../../../bin/tacit.mjs', import.meta.url));
const tacitRun = (args: string[]) => spawnSync(process.execPath, [tacit, 'run', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });

test('psi over 50,000 shared ids: the whole intersection arrives with --json and with --out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tacit-psi50k-'));
  try {
    const a = ['id'], b = ['id'];
    for (let i = 0; i < 52_000; i++) a.push(`cust-${i}`);
    for (let i = 2_000; i < 54_000; i++) b.push(`cust-${i}`);
    writeFileSync(join(dir, 'a.csv'), a.join('\n') + '\n');
    writeFileSync(join(dir, 'b.csv'), b.join('\n') + '\n');
    const inB = new Set(b);
    const want = a.slice(1).filter((id) => inB.has(id)).sort();
    assert.equal(want.length, 50_000);
    const r = tacitRun(['psi', '--party', `a=${join(dir, 'a.csv')}`, '--party', `b=${join(dir, 'b.csv')}`, '--id', 'id', '--json']);
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const out = JSON.parse(r.stdout) as { outputs: Record<string, { size: number; intersection: string[] }> };
    for (const party of ['a', 'b']) {
      assert.equal(out.outputs[party]!.size, 50_000);
      assert.deepEqual([...out.outputs[party]!.intersection].sort(), want);
    }
    const file = join(dir, 'out.json');
    const w = tacitRun(['psi', '--party', `a=${join(dir, 'a.csv')}`, '--party', `b=${join(dir, 'b.csv')}`, '--receiver', 'a', '--out', file]);
    assert.equal(w.status, 0, w.stderr.slice(-2000));
    assert.match(w.stdout, /a learnt an intersection of 50000 ids: written to /);
    assert.ok(w.stdout.length < 1000, 'the intersection is in the file, not on the terminal');
    assert.deepEqual([...(JSON.parse(readFileSync(file, 'utf8')) as { intersection: string[] }).intersection].sort(), want);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

