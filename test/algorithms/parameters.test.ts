// The programs' parameter table (src/algorithms/parameters.ts) checks a requester's
// parameters before anything is sent — every problem named at once — and docs/algorithms.md
// lists every parameter of every program (so the doc cannot drift from the checks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkTaskParameters, describeParameters, PROGRAM_PARAMETERS, TaskParametersError, type ParamSpec } from '../../src/algorithms/parameters.js';
import { PROGRAMS } from '../../src/algorithms/programs/index.js';
import { schemaFromListing, schemaUri } from '../../src/data/schema-uri.js';
import { schemaHash } from '../../src/data/commitment.js';

const BANK = '0xAbCdEf0123456789aBcDeF0123456789AbCdEf01';
const datasets = [
  { datasetId: '1', owner: BANK, columns: ['id', 'y', 'x0', 'x1'] },
  { datasetId: '2', owner: '0x1111111111111111111111111111111111111111', columns: ['id', 'x2'] },
];

test('valid lr-train parameters pass, with the label party in lowercase', () => {
  const out = checkTaskParameters('lr-train', { idColumn: 'id', labelParty: BANK, labelColumn: 'y', hyper: { epochs: 3 } }, datasets);
  assert.equal(out['labelParty'], BANK.toLowerCase());
  assert.deepEqual(out['hyper'], { epochs: 3 });
});

test('every problem is named: unknown, missing, type, bounds, columns, label party', () => {
  assert.throws(
    () => checkTaskParameters('lr-train', { idColumn: 'ident', labelParty: 'bank', hyper: { epochs: 0, learningRate: 'fast' }, epoch: 3 }, datasets),
    (e: unknown) => {
      assert.ok(e instanceof TaskParametersError);
      for (const s of ['unknown parameter epoch', 'labelColumn is required', 'labelParty must be a node address', 'hyper.epochs must be in [1, 1000], got 0', 'hyper.learningRate must be a finite number', 'dataset 1 has no column "ident"', 'dataset 2 has no column "ident"']) {
        assert.ok(e.message.includes(s), `missing "${s}" in: ${e.message}`);
      }
      return true;
    },
  );
  assert.throws(() => checkTaskParameters('lr-train', { idColumn: 'id', labelParty: '0x1111111111111111111111111111111111111111', labelColumn: 'y' }, datasets), /dataset 2 has no column "y"/);
  assert.throws(() => checkTaskParameters('debt-query', { idColumn: 'id' }, datasets), /balanceColumn is required/);
  // Without published schemas the columns cannot be checked, the rest still is.
  assert.doesNotThrow(() => checkTaskParameters('psi', { idColumn: 'anything' }, [{ datasetId: '9', owner: BANK }]));
});

test('a published schema is trusted only when it hashes to the listing schemaHash', () => {
  const uri = schemaUri({ idColumn: 'id', columns: ['a', 'b'] });
  assert.deepEqual(schemaFromListing(uri, schemaHash('id', ['a', 'b'])), { idColumn: 'id', columns: ['a', 'b'] });
  assert.equal(schemaFromListing(uri, schemaHash('id', ['a', 'c'])), undefined);
  assert.equal(schemaFromListing('ipfs://x', schemaHash('id', ['a'])), undefined);
});

test('every program with a parameter table exists, and docs/algorithms.md lists each parameter', () => {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/algorithms.md', import.meta.url)), 'utf8');
  const names = (specs: ParamSpec[], prefix = ''): string[] => specs.flatMap((s) => [`${prefix}${s.name}`, ...names(s.fields ?? [], `${prefix}${s.name}.`)]);
  for (const [program, p] of PROGRAM_PARAMETERS) {
    assert.ok(PROGRAMS.has(program), `${program} is not a program`);
    const section = doc.split(/^## /m).find((s) => s.startsWith(`${program} `));
    assert.ok(section, `docs/algorithms.md has no section for ${program}`);
    for (const n of names(p.params)) assert.ok(section.includes(`\`${n}\``), `docs/algorithms.md's ${program} section lacks ${n}`);
    for (const n of names(p.receiverInputs ?? [])) assert.ok(section.includes(`\`${n}\``), `docs/algorithms.md's ${program} section lacks the receiver input ${n}`);
    assert.match(describeParameters(program), new RegExp(`${program} --params`));
  }
});
