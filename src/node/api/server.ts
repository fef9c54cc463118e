/**
 * The node's admin HTTP API (fastify). Read-only views of the node, its datasets (metadata)
 * and its tasks (status and progress) are open; anything that changes state (importing,
 * publishing) and task results need the bearer token from `<dir>/api-token`. Every route is
 * one entry of a table with its JSON Schemas, from which fastify validates and serialises
 * and ./openapi.ts writes the document served at /openapi.json.
 *
 * The console (console/, served at `/` by ./console-static.ts) logs in through ./session.ts
 * and reaches the same routes with a session cookie instead of the bearer token; a
 * state-changing request from a cookie must also carry the X-Tacit-Console header (CSRF).
 *
 * The API is for the institution's own operators and tools: it listens on loopback by
 * default and is not the port other nodes connect to (that is the TLS peer port). It owns
 * no chain state — imports and publications go through the daemon's `actions` — and never
 * answers with rows, shares, stack traces or secrets. Every answer carries
 * `Cache-Control: no-store`, since results pass through it.
 */
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { tacitVersion } from '../../version.js';
import { NodeUnavailableError, ResultNotAvailableError, TaskNotFoundError } from '../errors.js';
import { createNodeMetrics, type NodeMetrics } from '../metrics.js';
import type { NodeStore } from '../store/index.js';
import type { ApiActions } from './actions.js';
import { bearerChecker } from './auth.js';
import type { ChainViews } from './chain-views.js';
import { consoleRoutes, type Route } from './console-routes.js';
import { consoleFileRoutes } from './console-static.js';
import { createSessionStore, CSRF_HEADER, type SessionStore } from './session.js';
import { toHttpError } from './errors.js';
import { buildOpenApi } from './openapi.js';
import {
  DatasetListSchema,
  DatasetNameParamsSchema,
  DatasetSchema,
  ErrorSchema,
  HealthSchema,
  ImportDatasetBodySchema,
  MetricsSchema,
  NodeInfoSchema,
  OpenApiSchema,
  PublishDatasetBodySchema,
  PublishDatasetResponseSchema,
  TaskIdParamsSchema,
  TaskListQuerySchema,
  TaskListSchema,
  TaskResultSchema,
  TaskSchema,
  TaskInputsBodySchema,
  SaleBodySchema,
  SaleResultSchema,
  SaleClosedSchema,
  TaskInputsAckSchema,
  SealedResultSchema,
  taskView,
  type ImportDatasetBody,
  type NodeInfo,
  type PublishDatasetBody,
} from './schemas.js';

export interface StartApiOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** 64 hex digits (see src/node/api-token.ts). */
  token: string;
  store: NodeStore;
  info: () => NodeInfo;
  actions: ApiActions;
  /** Metrics to serve and feed (default: a fresh registry reading `store`). */
  metrics?: NodeMetrics;
  logger?: Logger;
  /** Routes of other node features (e.g. src/node/clearing/api.ts), served and documented alike. */
  extraRoutes?: ApiRoute[];
  /** The chain as this node reads and acts on it (the console's network, market and task pages). */
  chain?: ChainViews;
  /** Browser sessions (default: a fresh in-memory store). */
  sessions?: SessionStore;
}

export interface RunningApi {
  url: string;
  port: number;
  /** The OpenAPI document served at /openapi.json. */
  openapi: Record<string, unknown>;
  close(): Promise<void>;
}

/** A route of another node feature (e.g. src/node/clearing/api.ts), served and documented alike. */
export type ApiRoute = Route;

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorSchema]));

/** Starts the API and resolves once it listens. */
export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const { store, actions } = options;
  const started = Date.now();
  const authorized = bearerChecker(options.token);
  const metrics = options.metrics ?? createNodeMetrics({ store, processMetrics: false });
  const sessions = options.sessions ?? createSessionStore();
  const streams = new Set<FastifyReply>();
  /** Bearer token, or a session cookie (with the CSRF header on anything but a read). */
  const authenticate = (req: FastifyRequest, bearerOnly: boolean): boolean => {
    if (authorized(req.headers.authorization)) return true;
    if (bearerOnly || !sessions.valid(req.headers.cookie)) return false;
    return req.method === 'GET' || req.method === 'HEAD' || req.headers[CSRF_HEADER] === '1';
  };

  const routes: ApiRoute[] = [
    {
      method: 'GET', url: '/health', operationId: 'getHealth', tag: 'node', auth: false,
      summary: 'Liveness: the API answers; version and uptime',
      schema: { response: { 200: HealthSchema } },
      handler: () => ({ ok: true, version: tacitVersion(), uptime: (Date.now() - started) / 1000 }),
    },
    {
      method: 'GET', url: '/node', operationId: 'getNode', tag: 'node', auth: false,
      summary: 'Who this node is: name, chain address, TLS fingerprint, roles, peer endpoint, chain and contracts',
      schema: { response: { 200: NodeInfoSchema, 500: ErrorSchema } },
      handler: () => options.info(),
    },
    {
      method: 'GET', url: '/datasets', operationId: 'listDatasets', tag: 'datasets', auth: false,
      summary: 'Datasets stored in this node (metadata only: schema, row count, commitments, listing)',
      schema: { response: { 200: DatasetListSchema } },
      handler: () => ({ datasets: store.listDatasets() }),
    },
    {
      method: 'POST', url: '/datasets', operationId: 'importDataset', tag: 'datasets', auth: true,
      summary: 'Import a CSV file from the node host (validated in full; a bad file stores nothing and every bad line is listed)',
      schema: { body: ImportDatasetBodySchema, response: { 201: DatasetSchema, ...errors(400, 401, 409, 500) } },
      handler: async (req, reply) => {
        const record = await actions.importDataset(req.body as ImportDatasetBody);
        options.logger?.info({ dataset: record.name, rows: record.rows, columns: record.columns.length }, 'dataset imported');
        return reply.code(201).send(record);
      },
    },
    {
      method: 'POST', url: '/datasets/:name/publish', operationId: 'publishDataset', tag: 'datasets', auth: true,
      summary: 'List a stored dataset in the DataRegistry (schema hash, rows, commitment, price, algorithms) and mint its data tokens',
      schema: { params: DatasetNameParamsSchema, body: PublishDatasetBodySchema, response: { 200: PublishDatasetResponseSchema, ...errors(400, 401, 404, 409, 500, 502, 503) } },
      handler: (req) => actions.publishDataset((req.params as { name: string }).name, req.body as PublishDatasetBody),
    },
    {
      method: 'POST', url: '/datasets/:name/sale', operationId: 'openDatasetSale', tag: 'datasets', auth: true,
      summary: 'Offers uses of a published dataset at a fixed price in the DataTokenSale (minting the tokens to sell)',
      schema: { params: DatasetNameParamsSchema, body: SaleBodySchema, response: { 200: SaleResultSchema, ...errors(400, 401, 404, 409, 502, 503) } },
      handler: (req) => {
        if (!actions.openSale) throw new NodeUnavailableError('this node cannot open sales (no chain connection)');
        return actions.openSale((req.params as { name: string }).name, req.body as { pricePerUse: string; uses?: number });
      },
    },
    {
      method: 'DELETE', url: '/datasets/:name/sale', operationId: 'closeDatasetSale', tag: 'datasets', auth: true,
      summary: 'Closes the offer of a dataset in the DataTokenSale (tokens already sold stay valid)',
      schema: { params: DatasetNameParamsSchema, response: { 200: SaleClosedSchema, ...errors(400, 401, 404, 409, 502, 503) } },
      handler: (req) => {
        if (!actions.closeSale) throw new NodeUnavailableError('this node cannot close sales (no chain connection)');
        return actions.closeSale((req.params as { name: string }).name);
      },
    },
    {
      method: 'GET', url: '/tasks', operationId: 'listTasks', tag: 'tasks', auth: false,
      summary: 'Tasks this node takes part in, newest first (status and progress; no parameters, results or data)',
      schema: { querystring: TaskListQuerySchema, response: { 200: TaskListSchema, 400: ErrorSchema } },
      handler: (req) => {
        const q = req.query as { status?: string; limit?: number; offset?: number };
        return { tasks: store.listTasks({ ...(q.status ? { status: q.status } : {}), limit: q.limit, offset: q.offset }).map(taskView) };
      },
    },
    {
      method: 'GET', url: '/tasks/:id', operationId: 'getTask', tag: 'tasks', auth: false,
      summary: 'One task: status, step and progress (no parameters, results or data)',
      schema: { params: TaskIdParamsSchema, response: { 200: TaskSchema, ...errors(400, 404) } },
      handler: (req) => {
        const id = (req.params as { id: number }).id;
        const task = store.getTask(id);
        if (!task) throw new TaskNotFoundError(id);
        return taskView(task);
      },
    },
    {
      method: 'GET', url: '/tasks/:id/result', operationId: 'getTaskResult', tag: 'tasks', auth: true,
      summary: 'The result of a task, on the receiver node only, once available (404 until then)',
      schema: { params: TaskIdParamsSchema, response: { 200: TaskResultSchema, ...errors(400, 401, 404) } },
      handler: (req) => {
        const id = (req.params as { id: number }).id;
        const task = store.getTask(id);
        if (!task) throw new TaskNotFoundError(id);
        if (!task.roles.includes('receiver')) {
          throw new ResultNotAvailableError(`this node is not the receiver of task ${id}`, { hint: 'results are delivered to the receiver node only' });
        }
        if (task.result === null || task.result === undefined) {
          throw new ResultNotAvailableError(`task ${id} has no result yet`, { hint: `the task is ${task.status}${task.step ? ` (${task.step})` : ''}; try again later` });
        }
        return { id: task.id, status: task.status, result: task.result };
      },
    },
    {
      method: 'POST', url: '/tasks/:id/inputs', operationId: 'putTaskInputs', tag: 'tasks', auth: true,
      summary: "The receiver's own private inputs to a task (e.g. the applicant id), kept at this node only; the node consents to such a task once they are here",
      schema: { params: TaskIdParamsSchema, body: TaskInputsBodySchema, response: { 200: TaskInputsAckSchema, ...errors(400, 401) } },
      handler: (req) => {
        const id = (req.params as { id: number }).id;
        store.setKv(`task-inputs:${id}`, JSON.stringify((req.body as { inputs: Record<string, unknown> }).inputs));
        return { id, stored: true };
      },
    },
    {
      method: 'GET', url: '/tasks/:id/sealed-result', operationId: 'getSealedTaskResult', tag: 'tasks', auth: false,
      summary: "The result sealed to the requester's result key (X25519 sealed box, base64): safe to hand to anyone, only the requester opens it",
      schema: { params: TaskIdParamsSchema, response: { 200: SealedResultSchema, ...errors(400, 404) } },
      handler: (req) => {
        const id = (req.params as { id: number }).id;
        const box = store.getKv(`task-sealed:${id}`);
        if (!box) throw new ResultNotAvailableError(`no sealed result for task ${id} at this node`, { hint: 'it appears at the receiver node once the task has run, if the requester gave a result key' });
        return { id, sealed: box };
      },
    },
    {
      method: 'GET', url: '/metrics', operationId: 'getMetrics', tag: 'node', auth: false, produces: 'text/plain; version=0.0.4',
      summary: 'Prometheus metrics: tasks by status, task durations, MPC bytes, chain transactions, dataset rows, API requests',
      schema: { response: { 200: MetricsSchema } },
      handler: async (_req, reply) => {
        const text = await metrics.registry.metrics();
        return reply.type(metrics.registry.contentType).send(text);
      },
    },
    {
      method: 'GET', url: '/openapi.json', operationId: 'getOpenApi', tag: 'node', auth: false,
      summary: 'This API as an OpenAPI 3.1 document',
      schema: { response: { 200: OpenApiSchema } },
      handler: () => openapi,
    },
    ...(options.extraRoutes ?? []),
    ...consoleRoutes({ store, sessions, bearer: authorized, streams, ...(options.chain ? { chain: options.chain } : {}) }),
  ];
  const openapi = buildOpenApi(routes, { title: 'Tacit node API', version: tacitVersion() });

  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger.child({ component: 'api' }) } : { logger: false }),
    // per-request lines off (the node logs what it does, not every poll)
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    // refuse unknown body fields instead of silently dropping them (a misspelt "algoritms")
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.apiRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.apiRequestDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    options.logger?.debug({ method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'api request');
  });
  app.setErrorHandler((err, req, reply) => {
    const { status, body, internal } = toHttpError(err);
    if (internal) options.logger?.error({ err, method: req.method, route: req.routeOptions.url }, 'api request failed');
    else options.logger?.info({ error: body.error, method: req.method, route: req.routeOptions.url, status }, 'api request refused');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'NotFound', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  for (const r of routes) {
    app.route({
      method: r.method,
      url: r.url,
      schema: r.schema,
      ...(r.auth
        ? {
            onRequest: async (req: FastifyRequest, reply: FastifyReply) => {
              if (authenticate(req, r.bearerOnly === true)) return;
              reply.header('www-authenticate', 'Bearer realm="tacit-node"');
              const csrf = !req.headers.authorization && !r.bearerOnly && sessions.valid(req.headers.cookie);
              return reply.code(401).send({
                error: 'Unauthorized',
                message: req.headers.authorization ? 'wrong API token' : csrf ? `a session changes state only with the ${CSRF_HEADER} header` : 'this route needs the API token or a console session',
                hint: 'send Authorization: Bearer <token> with the token from <node dir>/api-token',
              });
            },
          }
        : {}),
      handler: async (req, reply) => r.handler(req, reply),
    });
  }

  for (const f of consoleFileRoutes()) app.get(f.url, f.handler);
  // Event streams never go idle: end them so that close() does not wait for the browsers.
  app.addHook('preClose', async () => {
    for (const s of streams) s.raw.end();
    streams.clear();
  });

  await app.listen({ host: options.host, port: options.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host === '::' ? '[::1]' : options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  options.logger?.info({ url, loopback: isLoopback(options.host) }, 'api listening');
  if (!isLoopback(options.host)) options.logger?.warn({ host: options.host }, 'the API listens beyond loopback: restrict access to the admin network');
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    openapi,
    close: () => (closing ??= app.close().then(() => undefined)),
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
