// The local runner (what `tacit run` uses) delivers a large result whole: a party process
// that exits right after writing a multi-megabyte result line must not be reported as
// "exited without a result" (issue 9: a 30,000-id PSI failed so), and with `outFile` the
// receiver writes the output itself, so nothing large crosses the pipe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLocalSession } from '../../src/node/local/cluster.js';
import { BIG_OUTPUT_IDS } from './fixtures/big-output-program.js';

const programModule = fileURLToPath(new URL('./fixtures/big-output-program.js', import.meta.url));
const want = Array.from({ length: BIG_OUTPUT_IDS }, (_, i) => `customer-${i}`);

test('a ~4 MB result arrives whole through the pipe, five times in a row', async () => {
  for (let k = 0; k < 5; k++) {
    const results = await runLocalSession({ program: 'big-output', params: {}, parties: [{ id: 'a', roles: ['receiver'] }, { id: 'b', roles: [] }], programModule });
    const out = results.get('a')!.output as { size: number; ids: string[] };
    assert.equal(out.size, BIG_OUTPUT_IDS);
    assert.deepEqual(out.ids, want);
  }
});

test('with outFile the receiver writes the result itself and reports where', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tacit-out-'));
  try {
    const file = join(dir, 'a.json');
    const results = await runLocalSession({ program: 'big-output', params: {}, parties: [{ id: 'a', roles: ['receiver'], outFile: file }, { id: 'b', roles: [] }], programModule });
    assert.deepEqual(results.get('a')!.output, { writtenTo: file });
    assert.deepEqual((JSON.parse(readFileSync(file, 'utf8')) as { ids: string[] }).ids, want);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
