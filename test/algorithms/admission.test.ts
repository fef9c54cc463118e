// Each program's admit(): every guard with its default and overridden by name, checked
// against the request as a node would build it. Refusal reasons name parameters, columns
// and bounds — never a value or a row of the data (they go on-chain).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AdmissionRequest, AdmissionVerdict, KeptModelBinding } from '../../src/algorithms/admission.js';
import { lrTrainProgram, LR_TRAIN_GUARDS, lrTrainSeconds } from '../../src/algorithms/programs/lr-train.js';
import { lrPredictProgram, LR_PREDICT_GUARDS, modelHashOf } from '../../src/algorithms/programs/lr-predict.js';
import { debtQueryProgram, DEBT_QUERY_GUARDS } from '../../src/algorithms/programs/debt-query.js';
import { psiProgram, PSI_GUARDS } from '../../src/algorithms/programs/psi.js';
import { PROGRAMS } from '../../src/algorithms/programs/index.js';

const A = '0xaaaa', B = '0xbbbb', C = '0xcccc', D = '0xdddd', R = '0xeeee';

function request(over: Partial<AdmissionRequest> & { params: Record<string, unknown> }): AdmissionRequest {
  return {
    program: 'x',
    version: '1.0.0',
    protocol: 'rep3',
    self: A,
    roles: ['data', 'compute'],
    computeParties: [A, B, C],
    dataOwners: [A, B],
    receiver: A,
    dataset: { datasetId: '7', idColumn: 'id', columns: ['y', 'income', 'age'], rows: 5000, ranges: { y: { min: 0, max: 1 }, income: { min: 1200, max: 980000 }, age: { min: 18, max: 90 } } },
    secondsToDeadline: 3600,
    ...over,
  };
}

const refused = (v: AdmissionVerdict, re: RegExp) => {
  assert.equal(v.ok, false, 'expected a refusal');
  if (!v.ok) {
    assert.match(v.reason, re);
    // No value of the data (ranges above) ever appears in a reason.
    for (const leak of ['980000', '1200', '5000']) assert.ok(!v.reason.includes(leak), `reason leaks ${leak}: ${v.reason}`);
  }
};

test('every program has admit() and documented default guards', () => {
  for (const p of PROGRAMS.values()) {
    assert.equal(typeof p.admit, 'function', p.name);
    assert.ok(p.defaultGuards && Object.keys(p.defaultGuards).length > 0, p.name);
  }
  assert.equal(LR_TRAIN_GUARDS.minRows, 100);
  assert.equal(DEBT_QUERY_GUARDS.minLenders, 3);
  assert.equal(LR_PREDICT_GUARDS.allowReceiverModel, false);
  assert.equal(PSI_GUARDS.minSetSize, 100);
});

test('lr-train: rows, columns, hyperparameter bounds and the deadline, each overridable', () => {
  const params = { idColumn: 'id', labelParty: A, labelColumn: 'y', receiver: A, hyper: { epochs: 10, batchSize: 512, learningRate: 0.5, l2: 0 } };
  const admit = (over: Partial<AdmissionRequest>, p: Record<string, unknown> = params, g = {}) => lrTrainProgram.admit!(request({ params: p, ...over }), g);
  assert.deepEqual(admit({}), { ok: true });
  // minRows: the node's own dataset (default 100), and every dataset it is told of.
  const small = { dataset: { ...request({ params }).dataset!, rows: 99 } };
  refused(admit(small), /fewer rows than its guard minRows \(100\)/);
  assert.deepEqual(admit(small, params, { minRows: 50 }), { ok: true });
  refused(admit({ datasetRows: [5000, 20] }), /a dataset of the task has fewer rows/);
  // Columns exist.
  refused(admit({}, { ...params, labelColumn: 'default' }), /label column "default" is not in this node's dataset/);
  refused(admit({}, { ...params, idColumn: 'customer' }), /id column "customer"/);
  refused(admit({}, { ...params, schema: { [A]: ['income', 'zip'] } }), /feature column "zip"/);
  refused(admit({}, { ...params, labelParty: D }), /labelParty must be one of the task's data owners/);
  refused(admit({}, { ...params, receiver: D }), /receiver differs/);
  // A single-class label column (its range says so) is refused.
  refused(admit({ dataset: { ...request({ params }).dataset!, ranges: { y: { min: 0, max: 0 } } } }), /only one class/);
  // Hyperparameters.
  refused(admit({}, { ...params, hyper: { epochs: 0 } }), /epochs must be at least 1/);
  refused(admit({}, { ...params, hyper: { epochs: 101 } }), /hyper\.epochs must be between 1 and 100/);
  assert.deepEqual(admit({}, { ...params, hyper: { epochs: 101 } }, { maxEpochs: 200 }), { ok: true });
  assert.deepEqual(admit({}, { ...params, hyper: { batchSize: 0 } }), { ok: true }); // full batch of 5000 rows
  refused(admit({ datasetRows: [20000, 20000] }, { ...params, hyper: { batchSize: 0 } }), /batches of all rows exceed this node's bound of 8192/);
  refused(admit({}, { ...params, hyper: { learningRate: 0 } }), /learningRate must be above 0 and at most 10/);
  refused(admit({}, { ...params, hyper: { learningRate: 50 } }), /learningRate/);
  refused(admit({}, { ...params, hyper: { l2: -1 } }), /hyper\.l2 must be between 0 and 10/);
  // The deadline against the documented cost model.
  const need = lrTrainSeconds(LR_TRAIN_GUARDS, 5000, 3 * 2, 10);
  assert.ok(need > 60 && need < 100, `estimate ${need}`);
  refused(admit({ secondsToDeadline: need - 1 }), /deadline is too close: this node estimates \d+ s/);
  assert.deepEqual(admit({ secondsToDeadline: need + 1 }), { ok: true });
  // A malformed policy is a refusal naming the guard.
  refused(admit({}, params, { minRows: 'many' }), /guard "minRows" in the node's policy must be a number/);
  // String overrides (node.json or --guard) are read as numbers.
  assert.deepEqual(admit(small, params, { minRows: '10' }), { ok: true });
});

test('lr-predict: only a kept model bound to the same owners, receiver and requester, or an approved one', () => {
  const base = { idColumn: 'id', receiver: R, count: 2 };
  const kept: KeptModelBinding = { task: '12', requester: '0x9999', receiver: R, dataOwners: [B, A], protocol: 'rep3', computeParties: [A, B, C], features: [`${A}.income`, `${B}.x`] };
  const admit = (params: Record<string, unknown>, over: Partial<AdmissionRequest> = {}, g = {}) =>
    lrPredictProgram.admit!(request({ params, receiver: R, requester: '0x9999', ...over }), g);
  // The receiver's own weights (e.g. one-hot) are refused by default.
  refused(admit(base), /never the receiver's own weights/);
  assert.deepEqual(admit(base, {}, { allowReceiverModel: true }), { ok: true });
  // A kept model.
  const shared = { ...base, sharedModel: true, modelTask: 12 };
  refused(admit({ ...base, sharedModel: true }), /must name its training task/);
  refused(admit(shared), /kept no model from task 12/);
  assert.deepEqual(admit(shared, { keptModel: kept }), { ok: true });
  refused(admit(shared, { keptModel: { ...kept, dataOwners: [A, D] } }), /trained over other data owners/);
  refused(admit(shared, { keptModel: { ...kept, receiver: D } }), /belongs to another receiver/);
  refused(admit(shared, { keptModel: { ...kept, requester: '0x1234' } }), /belongs to another requester/);
  refused(admit(shared, { keptModel: { ...kept, computeParties: [A, B, D] } }), /other compute parties/);
  refused(admit(shared, { keptModel: { ...kept, features: [`${A}.salary`] } }), /feature column "salary"/);
  // An approved model, by hash.
  const model = { weights: [0.1, -0.2], intercept: 0.3, features: [`${A}.income`, `${B}.x`] };
  const hash = modelHashOf(model);
  assert.match(hash, /^[0-9a-f]{64}$/);
  refused(admit({ ...base, modelHash: hash }), /not among this node's approved models/);
  assert.deepEqual(admit({ ...base, modelHash: hash }, {}, { approvedModels: [hash] }), { ok: true });
  assert.deepEqual(admit({ ...base, modelHash: hash }, {}, { approvedModels: `0x${hash.toUpperCase()}, abc` }), { ok: true });
  // Bounds.
  refused(admit({ ...base, count: 1001 }, {}, { allowReceiverModel: true }), /count must be between 1 and 1000/);
  // A party that brings no data and computes nothing has nothing to protect.
  assert.deepEqual(admit(base, { roles: ['receiver'], dataset: undefined }), { ok: true });
});

test('debt-query: at least 3 lenders, the receiver not one of them', () => {
  const params = { idColumn: 'id', balanceColumn: 'income', receiver: R };
  const admit = (over: Partial<AdmissionRequest>, p: Record<string, unknown> = params, g = {}) => debtQueryProgram.admit!(request({ params: p, receiver: R, dataOwners: [A, B, C], ...over }), g);
  assert.deepEqual(admit({}), { ok: true });
  refused(admit({ dataOwners: [A, B] }), /at least 3 lenders \(guard minLenders\); it has 2/);
  refused(admit({ dataOwners: [A, B, '0xBBBB'] }), /it has 2/); // the same lender twice (any case)
  assert.deepEqual(admit({ dataOwners: [A, B] }, params, { minLenders: 2 }), { ok: true });
  refused(admit({ receiver: A }, { ...params, receiver: A }), /must not be one of its lenders/);
  assert.deepEqual(admit({ receiver: A }, { ...params, receiver: A }, { receiverMayLend: true }), { ok: true });
  refused(admit({}, { ...params, balanceColumn: 'owed' }), /balance column "owed"/);
  refused(admit({}, { ...params, count: 101 }), /count must be between 1 and 100/);
  refused(admit({ secondsToDeadline: 10 }), /deadline is too close/);
});

test('psi: minimum set size (own and on-chain), cardinality-only policy, receivers among the owners', () => {
  const params = { idColumn: 'id', receivers: [A], cardinalityOnly: false };
  const admit = (over: Partial<AdmissionRequest>, p: Record<string, unknown> = params, g = {}) => psiProgram.admit!(request({ params: p, ...over }), g);
  assert.deepEqual(admit({}), { ok: true });
  refused(admit({ dataset: { ...request({ params }).dataset!, rows: 10 } }), /smaller than its guard minSetSize \(100\)/);
  refused(admit({ datasetRows: [5000, 3] }), /a set of the task is smaller/);
  assert.deepEqual(admit({ datasetRows: [5000, 3] }, params, { minSetSize: 1 }), { ok: true });
  refused(admit({}, params, { requireCardinalityOnly: true }), /size-only PSI tasks only/);
  assert.deepEqual(admit({}, { ...params, cardinalityOnly: true }, { requireCardinalityOnly: true }), { ok: true });
  refused(admit({}, { ...params, receivers: [R] }), /receiver must be a data owner/);
  refused(admit({ secondsToDeadline: 5 }), /deadline is too close/);
});

test('kept models: the record lr-train keeps, bound by the node to task and requester, is what admission checks', async () => {
  const { bindKept, keptModelBinding } = await import('../../src/node/runner/kept-model.js');
  const fromProgram = { modelShares: { protocol: 'rep3', computeParties: [A, B, C], features: [`${A}.income`], scaleExponents: [14], dataOwners: [A, B], receiver: R, parts: ['AAAA', 'BBBB'] } };
  const stored = JSON.parse(JSON.stringify(bindKept(fromProgram, { task: '41', requester: '0x9999' }))) as unknown;
  const binding = keptModelBinding(stored)!;
  assert.deepEqual(binding, { task: '41', requester: '0x9999', receiver: R, dataOwners: [A, B], protocol: 'rep3', computeParties: [A, B, C], features: [`${A}.income`] });
  assert.ok(!JSON.stringify(binding).includes('AAAA'), 'the binding never carries the shares');
  // A data owner without shares keeps the binding alone.
  const dataOnly = keptModelBinding(bindKept({ modelBinding: { ...fromProgram.modelShares, parts: undefined } }, { task: '41', requester: '0x9999' }));
  assert.equal(dataOnly?.task, '41');
  const params = { idColumn: 'id', receiver: R, count: 1, sharedModel: true, modelTask: 41 };
  const admit = (requester: string) => lrPredictProgram.admit!(request({ params, receiver: R, requester, keptModel: binding }), {});
  assert.deepEqual(admit('0x9999'), { ok: true });
  refused(admit('0x7777'), /belongs to another requester/);
  assert.equal(keptModelBinding({ unrelated: true }), undefined);
});
