// Results shown with the names nodes registered: addresses are replaced in values and keys,
// a name two nodes share keeps the address, unknown addresses and other text stay as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressesIn, partyLabels, relabel } from '../../src/sdk/actions/nameParties.js';

const A = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';
const B = '0x90f79bf6eb2c4f870365e785982e1f101e93b906';
const C = '0x15d34aaf54267db7d7c367839aaf71a00a2c6a65';

test('addresses are found at the start of values and keys only', () => {
  const found = addressesIn({ model: { features: [`${A}.income`, `${B}.age`] }, features: { [`${C}.x`]: { iv: 1 } }, note: `paid by ${A}` });
  assert.deepEqual([...found].sort(), [A, B, C].sort());
});

test('relabel swaps known address prefixes in values and keys, nothing else', () => {
  const labels = partyLabels(new Map([[A, 'bank'], [B, 'bureau']]));
  const out = relabel({ model: { features: [`${A}.income`, `${B}.age`, `${C}.z`], weights: [1, 2, 3] }, woe: { [`${B}.age`]: { iv: 0.2 } }, receiver: A, note: `${A}x` }, labels);
  assert.deepEqual(out, { model: { features: ['bank.income', 'bureau.age', `${C}.z`], weights: [1, 2, 3] }, woe: { 'bureau.age': { iv: 0.2 } }, receiver: 'bank', note: `${A}x` });
});

test('a name two nodes registered keeps each address, so labels stay distinct', () => {
  const labels = partyLabels(new Map([[A, 'bank'], [B, 'bank'], [C, '']]));
  assert.notEqual(labels.get(A), labels.get(B));
  assert.match(labels.get(A)!, /^bank\(0x3C44/i);
  assert.match(labels.get(C)!, /^node\(0x15d3/i);
});
