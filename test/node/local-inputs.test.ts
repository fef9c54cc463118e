/**
 * What a node hands a program from its own store for sgb-predict (`tasks/local-inputs.ts`),
 * on a real SQLite store: a feature holder gets the split thresholds it kept from the
 * sgb-train task the predict task names (`keep.sgb` → `local.sgb`), only when the predict task
 * has that training task's requester and receiver; otherwise it refuses, and a task that
 * names no model task gets nothing. (The whole path through node processes and the chain is
 * test/node/he-tasks.test.ts.)
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NodeStore } from '../../src/node/store/index.js';
import { localInputs } from '../../src/node/tasks/local-inputs.js';
import { tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
before(() => {
  tmp = tempDir();
});
after(() => tmp.cleanup());

describe('local inputs for sgb-predict', () => {
  it('hands the kept thresholds to the training task’s requester and receiver only', () => {
    const store = NodeStore.open(join(tmp.dir, 'node.db'));
    try {
      const requester = '0x' + 'a'.repeat(40), receiver = '0x' + 'b'.repeat(40), other = '0x' + 'c'.repeat(40);
      const sgb = { modelId: 'm1', splits: { '0.0': { feature: 'x3', threshold: 0.25 } } };
      store.upsertTask({ id: 5, status: 'done', program: 'sgb-train', params: { datasetIds: [], dataOwners: [], params: {} }, roles: ['data'], requester, receiver });
      store.setKv('task-keep:5', JSON.stringify({ sgb }));
      const predict = (id: number, who: string, to: string, params: Record<string, unknown>) =>
        store.upsertTask({ id, status: 'pending', program: 'sgb-predict', params: { datasetIds: [], dataOwners: [], params }, roles: ['data'], requester: who, receiver: to });
      assert.deepEqual(localInputs(store, predict(6, requester, receiver, { modelTask: 5 }), 'host'), { sgb });
      assert.throws(() => localInputs(store, predict(7, other, receiver, { modelTask: 5 }), 'host'), /serve only that task's requester and receiver/);
      assert.throws(() => localInputs(store, predict(8, requester, other, { modelTask: 5 }), 'host'), /serve only/);
      assert.deepEqual(localInputs(store, predict(9, requester, receiver, {}), 'host'), {});
    } finally {
      store.close();
    }
  });
});
