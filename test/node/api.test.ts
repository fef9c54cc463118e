/**
 * The node API on a real fastify server (port 0) over a real store: open read-only routes,
 * token-guarded state changes and results (401 without or with a wrong token), CSV
 * problems as 400 with every bad line, errors as { error, message, hint } without stack
 * traces or data, the OpenAPI document listing every route, and Prometheus metrics.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { datasetActions, type ApiActions } from '../../src/node/api/actions.js';
import { startApi, type RunningApi } from '../../src/node/api/server.js';
import { createApiToken } from '../../src/node/api-token.js';
import { createNodeMetrics } from '../../src/node/metrics.js';
import { NodeStore } from '../../src/node/store/index.js';
import type { NodeInfo } from '../../src/node/api/schemas.js';
import { BAD_CSV, GOOD_CSV, tempDir, writeCsv } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let store: NodeStore;
let api: RunningApi;
let token: string;
let failNext: Error | undefined;
const metrics = () => createNodeMetrics({ store, processMetrics: false });

const INFO: NodeInfo = {
  name: 'bank-a',
  address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  fingerprint: 'ab'.repeat(32),
  roles: ['data', 'receiver'],
  peer: { host: '127.0.0.1', port: 7700, endpoint: '127.0.0.1:7700' },
  chainId: 31337,
  contracts: { NodeRegistry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' },
};

before(async () => {
  tmp = tempDir();
  store = NodeStore.open(join(tmp.dir, 'node.db'));
  token = createApiToken(tmp.dir);
  const base = datasetActions({ store });
  const actions: ApiActions = {
    importDataset: (input) => {
      if (failNext) {
        const e = failNext;
        failNext = undefined;
        throw e;
      }
      return base.importDataset(input);
    },
    // publication itself is tested against anvil (publish.test.ts); here only the plumbing
    publishDataset: async (name, input) => {
      const dataset = store.requireDataset(name);
      return { dataset, datasetId: '1', token: INFO.address, txHash: `0x${'11'.repeat(32)}`, algorithmIds: [`0x${'22'.repeat(32)}`], minted: String(BigInt(input.mint ?? 0) * 10n ** 18n), resumed: false };
    },
  };
  api = await startApi({ host: '127.0.0.1', port: 0, token, store, info: () => INFO, actions, metrics: metrics() });
});
after(async () => {
  await api?.close();
  store?.close();
  tmp?.cleanup();
});

async function call(method: string, path: string, options: { body?: unknown; auth?: string | false } = {}) {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.auth !== false) headers.authorization = `Bearer ${options.auth ?? token}`;
  const res = await fetch(`${api.url}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

describe('open routes', () => {
  it('GET /health, GET /node', async () => {
    const h = await call('GET', '/health', { auth: false });
    assert.equal(h.status, 200);
    assert.equal(h.json.ok, true);
    assert.equal(h.json.version, '0.1.0');
    assert.equal(typeof h.json.uptime, 'number');
    assert.equal(h.headers.get('cache-control'), 'no-store');
    const n = await call('GET', '/node', { auth: false });
    assert.deepEqual(n.json, INFO);
  });

  it('unknown routes are JSON 404s', async () => {
    const r = await call('GET', '/nope', { auth: false });
    assert.equal(r.status, 404);
    assert.equal(r.json.error, 'NotFound');
  });
});

describe('datasets', () => {
  it('POST /datasets needs the token: 401 without, 401 with a wrong one, 201 with it', async () => {
    const path = writeCsv(tmp.dir, 'good.csv', GOOD_CSV);
    const body = { name: 'loans', path, idColumn: 'id' };
    const none = await call('POST', '/datasets', { body, auth: false });
    assert.equal(none.status, 401);
    assert.equal(none.json.error, 'Unauthorized');
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    const wrong = await call('POST', '/datasets', { body, auth: 'f'.repeat(64) });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.message, 'wrong API token');
    const short = await call('POST', '/datasets', { body, auth: 'x' });
    assert.equal(short.status, 401);
    assert.equal(store.getDataset('loans'), undefined, 'nothing happened without the token');

    const ok = await call('POST', '/datasets', { body });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.name, 'loans');
    assert.equal(ok.json.rows, 5);
    assert.deepEqual(ok.json.columns, ['income', 'debt', 'age']);
    assert.match(ok.json.commitment, /^0x[0-9a-f]{64}$/);
  });

  it('GET /datasets shows metadata and never rows', async () => {
    const r = await call('GET', '/datasets', { auth: false });
    assert.equal(r.status, 200);
    assert.equal(r.json.datasets.length, 1);
    const d = r.json.datasets[0];
    assert.equal(d.name, 'loans');
    assert.equal(d.status, 'local');
    assert.equal(d.datasetId, null);
    assert.doesNotMatch(r.text, /c-00|52000|1200\.5/);
  });

  it('a bad CSV is a 400 listing every bad line, and stores nothing', async () => {
    const path = writeCsv(tmp.dir, 'bad.csv', BAD_CSV);
    const r = await call('POST', '/datasets', { body: { name: 'bad', path, idColumn: 'id' } });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'CsvError');
    assert.deepEqual(r.json.problems.map((p: { line: number }) => p.line), [3, 5, 6]);
    assert.deepEqual(r.json.problems[0], { line: 3, column: 'income', reason: 'not a number' });
    assert.ok(r.json.hint);
    assert.doesNotMatch(r.text, /sixty|stack|at [A-Za-z]+ \(/);
    assert.equal(store.getDataset('bad'), undefined);
  });

  it('maps other mistakes to 400/409 with a name, a message and a hint', async () => {
    const path = writeCsv(tmp.dir, 'good2.csv', GOOD_CSV);
    const dup = await call('POST', '/datasets', { body: { name: 'loans', path, idColumn: 'id' } });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.error, 'DuplicateDatasetError');
    assert.ok(dup.json.hint);
    const rel = await call('POST', '/datasets', { body: { name: 'rel', path: 'good2.csv', idColumn: 'id' } });
    assert.equal(rel.status, 400);
    assert.equal(rel.json.error, 'ImportFileError');
    const missing = await call('POST', '/datasets', { body: { name: 'missing', path: join(tmp.dir, 'nope.csv'), idColumn: 'id' } });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error, 'ImportFileError');
    const extra = await call('POST', '/datasets', { body: { name: 'x', path, idColumn: 'id', idColum: 'typo' } });
    assert.equal(extra.status, 400);
    assert.equal(extra.json.error, 'ValidationError');
    const badName = await call('POST', '/datasets', { body: { name: '../x', path, idColumn: 'id' } });
    assert.equal(badName.status, 400);
    const notJson = await fetch(`${api.url}/datasets`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{' });
    assert.equal(notJson.status, 400);
  });

  it('an unexpected failure is a bare 500: no message, no stack', async () => {
    failNext = new Error('SQLITE_IOERR at /secret/path with row c-001');
    const r = await call('POST', '/datasets', { body: { name: 'boom', path: writeCsv(tmp.dir, 'b.csv', GOOD_CSV), idColumn: 'id' } });
    assert.equal(r.status, 500);
    assert.deepEqual(r.json, { error: 'InternalError', message: 'internal error (see the node log)' });
  });

  it('POST /datasets/:name/publish needs the token', async () => {
    const body = { price: '10000000000000000000', algorithms: ['lr-train'], mint: 3 };
    assert.equal((await call('POST', '/datasets/loans/publish', { body, auth: false })).status, 401);
    assert.equal((await call('POST', '/datasets/loans/publish', { body, auth: 'a'.repeat(64) })).status, 401);
    const r = await call('POST', '/datasets/loans/publish', { body });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.datasetId, '1');
    assert.equal(r.json.minted, '3000000000000000000');
    assert.equal((await call('POST', '/datasets/loans/publish', { body: { ...body, price: '-1' } })).status, 400);
    assert.equal((await call('POST', '/datasets/loans/publish', { body: { ...body, algorithms: [] } })).status, 400);
    const missing = await call('POST', '/datasets/nope/publish', { body });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error, 'DatasetNotFoundError');
  });
});

describe('tasks', () => {
  before(() => {
    store.upsertTask({ id: 1, status: 'done', program: 'lr-train', params: { applicant: 'c-001' }, roles: ['data', 'receiver'], result: { auc: 0.72 }, progress: 1 });
    store.upsertTask({ id: 2, status: 'running', program: 'debt-query', roles: ['receiver'], progress: 0.5, progressPhase: 'sum', step: 'mpc' });
    store.upsertTask({ id: 3, status: 'done', program: 'debt-query', roles: ['compute'], result: null });
  });

  it('GET /tasks and /tasks/:id show status and progress, never params or results', async () => {
    const list = await call('GET', '/tasks', { auth: false });
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.tasks.map((t: { id: number }) => t.id), [3, 2, 1]);
    assert.doesNotMatch(list.text, /auc|applicant|c-001/);
    const running = await call('GET', '/tasks?status=running', { auth: false });
    assert.deepEqual(running.json.tasks.map((t: { id: number }) => t.id), [2]);
    const one = await call('GET', '/tasks/2', { auth: false });
    assert.equal(one.json.progress, 0.5);
    assert.equal(one.json.progressPhase, 'sum');
    assert.equal(one.json.step, 'mpc');
    assert.equal('result' in one.json, false);
    assert.equal((await call('GET', '/tasks/99', { auth: false })).json.error, 'TaskNotFoundError');
    assert.equal((await call('GET', '/tasks/abc', { auth: false })).status, 400);
    assert.equal((await call('GET', '/tasks/99999999999999999999', { auth: false })).status, 400);
    assert.equal((await call('GET', '/tasks?limit=5000', { auth: false })).status, 400);
  });

  it('GET /tasks/:id/result: token required, receiver only, 404 until available', async () => {
    assert.equal((await call('GET', '/tasks/1/result', { auth: false })).status, 401);
    assert.equal((await call('GET', '/tasks/1/result', { auth: 'b'.repeat(64) })).status, 401);
    const ok = await call('GET', '/tasks/1/result');
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { id: 1, status: 'done', result: { auc: 0.72 } });
    const pending = await call('GET', '/tasks/2/result');
    assert.equal(pending.status, 404);
    assert.equal(pending.json.error, 'ResultNotAvailableError');
    assert.match(pending.json.hint, /running/);
    const notReceiver = await call('GET', '/tasks/3/result');
    assert.equal(notReceiver.status, 404);
    assert.match(notReceiver.json.message, /not the receiver/);
    assert.equal((await call('GET', '/tasks/99/result')).status, 404);
  });
});

describe('OpenAPI and metrics', () => {
  it('GET /openapi.json is an OpenAPI 3.1 document listing every route', async () => {
    const r = await call('GET', '/openapi.json', { auth: false });
    assert.equal(r.status, 200);
    const doc = r.json;
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.title, 'Tacit node API');
    const ops: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(methods)) {
        ops.push(`${method.toUpperCase()} ${path}`);
        assert.ok(op.operationId && op.summary && op.responses, `${method} ${path} is documented`);
        for (const [code, resp] of Object.entries(op.responses as Record<string, any>)) assert.ok(resp.description && resp.content, `${method} ${path} ${code}`);
      }
    }
    assert.deepEqual(ops.sort(), [
      'DELETE /datasets/{name}/sale',
      'GET /datasets',
      'GET /health',
      'GET /metrics',
      'GET /node',
      'GET /openapi.json',
      'GET /tasks',
      'GET /tasks/{id}',
      'GET /tasks/{id}/result',
      'GET /tasks/{id}/sealed-result',
      'POST /datasets',
      'POST /datasets/{name}/publish',
      'POST /datasets/{name}/sale',
      'POST /tasks/{id}/inputs',
      // the console's (src/node/api/console-routes.ts)
      'DELETE /session', 'GET /chain/claims', 'GET /chain/clearing', 'GET /chain/datasets', 'GET /chain/keys', 'GET /chain/network', 'GET /chain/tasks/{id}',
      'GET /events', 'GET /session', 'POST /chain/datasets/{id}/buy', 'POST /chain/tasks', 'POST /session', 'POST /session/codes',
    ].sort());
    // docs/operations.md's API table lists every route, with the token column matching the route's security.
    const docs = readFileSync(fileURLToPath(new URL('../../../docs/operations.md', import.meta.url)), 'utf8');
    for (const op of ops) {
      const [m, p] = op.split(' ') as [string, string];
      const row = docs.split('\n').find((l) => l.startsWith('|') && l.includes(`\`${op}\``));
      assert.ok(row, `docs/operations.md's API table lacks ${op}`);
      const needsToken = ((doc.paths[p][m.toLowerCase()].security ?? []) as unknown[]).length > 0;
      assert.equal(row.split('|')[2]!.trim(), needsToken ? 'yes' : 'no', `token column of ${op} in docs/operations.md`);
    }
    const secured = (m: string, p: string) => (doc.paths[p][m].security as unknown[]).length > 0;
    assert.ok(secured('post', '/datasets') && secured('post', '/datasets/{name}/publish') && secured('get', '/tasks/{id}/result'));
    assert.ok(secured('post', '/datasets/{name}/sale') && secured('post', '/tasks/{id}/inputs'));
    assert.ok(!secured('get', '/datasets') && !secured('get', '/tasks') && !secured('get', '/health') && !secured('get', '/tasks/{id}/sealed-result'));
    assert.equal(doc.components.securitySchemes.bearerAuth.scheme, 'bearer');
    assert.deepEqual(Object.keys(doc.components.schemas).sort(), ['Dataset', 'Error', 'Health', 'NodeInfo', 'Task']);
    assert.equal(doc.paths['/datasets'].post.requestBody.content['application/json'].schema.required.join(), 'name,path,idColumn');
    assert.equal(doc.paths['/datasets'].post.responses['400'].content['application/json'].schema.$ref, '#/components/schemas/Error');
    assert.deepEqual(doc.paths['/tasks/{id}'].get.parameters.map((p: any) => [p.name, p.in, p.required]), [['id', 'path', true]]);
    assert.ok(doc.paths['/metrics'].get.responses['200'].content['text/plain; version=0.0.4']);
    // every $ref resolves
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[A-Za-z]+"/g) ?? [];
    for (const ref of refs) assert.ok(doc.components.schemas[ref.slice(22, -1)], ref);
  });

  it('GET /metrics is Prometheus text with tasks, dataset rows and API requests', async () => {
    const r = await call('GET', '/metrics', { auth: false });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(r.text, /^# HELP tacit_tasks /m);
    assert.match(r.text, /^# TYPE tacit_tasks gauge$/m);
    assert.match(r.text, /^tacit_tasks\{status="done"\} 2$/m);
    assert.match(r.text, /^tacit_tasks\{status="running"\} 1$/m);
    assert.match(r.text, /^tacit_dataset_rows\{dataset="loans"\} 5$/m);
    assert.match(r.text, /^tacit_api_requests_total\{method="POST",route="\/datasets",status="401"\} [1-9]/m);
    assert.match(r.text, /^tacit_api_request_duration_seconds_bucket\{le="0\.001",method="GET",route="\/health"\} \d+$/m);
    assert.match(r.text, /^# TYPE tacit_chain_transactions_total counter$/m);
    assert.match(r.text, /^# TYPE tacit_mpc_bytes_sent_total counter$/m);
    assert.match(r.text, /^# TYPE tacit_task_duration_seconds histogram$/m);
  });
});
