/**
 * The routes the console needs beyond the node's own views: browser sessions (log in with
 * the API token or a one-time code, log out, mint a code), a Server-Sent Events stream of
 * the node's tasks, datasets and chain head (WHATWG HTML §9.2, `text/event-stream`), and the
 * chain as this node reads and acts on it (nodes and stakes, the data market, buying data
 * tokens, creating a task, a task's on-chain timeline, clearing cycles, threshold keys,
 * zero-knowledge claims).
 * Each is an ordinary entry of the API's route table, so it is validated, serialised and
 * documented in /openapi.json like every other; all but the login itself need the token or
 * a session (see ./session.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConsoleRequestError as ConsoleError, NodeUnavailableError } from '../errors.js';
import type { NodeStore } from '../store/index.js';
import type { ChainViews, CreateTaskBody } from './chain-views.js';
import type { RouteDoc } from './openapi.js';
import { ErrorSchema, taskView } from './schemas.js';
import type { SessionStore } from './session.js';


export interface Route extends RouteDoc {
  handler: (req: FastifyRequest, reply: FastifyReply) => unknown;
}

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorSchema]));
const obj = (description: string) => ({ type: 'object', additionalProperties: true, description }) as const;
const address = { type: 'string', pattern: '^0x[0-9a-fA-F]{40}$' } as const;
const uintString = { type: 'string', pattern: '^(0|[1-9][0-9]*)$' } as const;

const LoginBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    token: { type: 'string', maxLength: 256, description: "the node's API token (64 hex digits)" },
    code: { type: 'string', maxLength: 256, description: 'a one-time login code (from POST /session/codes)' },
  },
} as const;
const SessionSchema = { type: 'object', required: ['authenticated'], properties: { authenticated: { type: 'boolean' }, via: { type: 'string', enum: ['bearer', 'cookie'] } } } as const;
const CodeSchema = { type: 'object', required: ['code', 'expiresAt'], properties: { code: { type: 'string' }, expiresAt: { type: 'string' } } } as const;
const BuyBodySchema = { type: 'object', required: ['uses'], additionalProperties: false, properties: { uses: { type: 'integer', minimum: 1, maximum: 100000 } } } as const;
const BuyResultSchema = { type: 'object', required: ['datasetId', 'uses', 'cost', 'txHash'], properties: { datasetId: { type: 'string' }, uses: { type: 'integer' }, cost: { type: 'string' }, txHash: { type: 'string' } } } as const;
const DatasetIdParamsSchema = { type: 'object', required: ['id'], properties: { id: { ...uintString, maxLength: 30 } } } as const;
const CreateTaskBodySchema = {
  type: 'object',
  required: ['program', 'protocol', 'params', 'datasetIds', 'computeParties', 'receiver', 'fee'],
  additionalProperties: false,
  properties: {
    program: { type: 'string', minLength: 1, maxLength: 64 },
    protocol: { type: 'string', enum: ['rep3', 'semi2k'] },
    params: { type: 'object', additionalProperties: true, description: "the program's public parameters (checked against its parameter table and the datasets' published schemas)" },
    datasetIds: { type: 'array', minItems: 1, maxItems: 16, items: { ...uintString, maxLength: 30 } },
    computeParties: { type: 'array', minItems: 2, maxItems: 16, items: address },
    receiver: address,
    fee: { ...uintString, maxLength: 40, description: 'payment-token base units escrowed (at least the datasets\' prices)' },
    deadlineSeconds: { type: 'integer', minimum: 60, maximum: 86400 },
    resultKey: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
} as const;
const CreatedTaskSchema = { type: 'object', required: ['taskId', 'txHash', 'gasUsed'], properties: { taskId: { type: 'string' }, txHash: { type: 'string' }, gasUsed: { type: 'string' } } } as const;
const ChainTaskParamsSchema = { type: 'object', required: ['id'], properties: { id: { ...uintString, maxLength: 30 } } } as const;
const EventStreamSchema = { type: 'string', description: 'text/event-stream: events `tasks` (the task list), `datasets` (the dataset list), `chain` (block, gas price); a comment every 15 s' } as const;

export interface ConsoleRouteOptions {
  store: NodeStore;
  sessions: SessionStore;
  /** Checks the bearer token (constant time). */
  bearer: (header: string | undefined) => boolean;
  chain?: ChainViews;
  /** Open event streams, ended when the API closes. */
  streams: Set<FastifyReply>;
}

export function consoleRoutes(o: ConsoleRouteOptions): Route[] {
  const chain = () => {
    if (!o.chain) throw new NodeUnavailableError('this node has no chain connection');
    return o.chain;
  };
  return [
    {
      method: 'POST', url: '/session', operationId: 'login', tag: 'console', auth: false,
      summary: "Log a browser in with the node's API token or a one-time code: sets an HttpOnly, SameSite=Strict session cookie (the credential itself is never stored in the browser)",
      schema: { body: LoginBodySchema, response: { 200: SessionSchema, ...errors(400, 401) } },
      handler: (req, reply) => {
        const b = req.body as { token?: string; code?: string };
        if ((b.token === undefined) === (b.code === undefined)) throw new ConsoleError('send either token or code', { hint: 'the token is in <node dir>/api-token' });
        const ok = b.token !== undefined ? o.bearer(`Bearer ${b.token}`) : o.sessions.redeem(b.code!);
        if (!ok) {
          return reply.code(401).send({ error: 'Unauthorized', message: b.token !== undefined ? 'wrong API token' : 'this login code is unknown, used or expired', hint: b.token !== undefined ? 'the token is in <node dir>/api-token' : 'mint a new one (POST /session/codes) or log in with the token' });
        }
        reply.header('set-cookie', o.sessions.open().setCookie);
        return { authenticated: true, via: 'cookie' };
      },
    },
    {
      method: 'GET', url: '/session', operationId: 'getSession', tag: 'console', auth: true,
      summary: 'Whether this request is authenticated, and how (bearer token or session cookie)',
      schema: { response: { 200: SessionSchema, ...errors(401) } },
      handler: (req) => ({ authenticated: true, via: o.bearer(req.headers.authorization) ? 'bearer' : 'cookie' }),
    },
    {
      method: 'DELETE', url: '/session', operationId: 'logout', tag: 'console', auth: true,
      summary: "Log out: ends this browser's session and clears its cookie",
      schema: { response: { 200: SessionSchema, ...errors(401) } },
      handler: (req, reply) => {
        reply.header('set-cookie', o.sessions.close(req.headers.cookie));
        return { authenticated: false };
      },
    },
    {
      method: 'POST', url: '/session/codes', operationId: 'mintLoginCode', tag: 'console', auth: true, bearerOnly: true,
      summary: 'A one-time login code (valid 10 minutes, once), for a login link such as the sandbox prints; bearer token only',
      schema: { response: { 200: CodeSchema, ...errors(401) } },
      handler: () => o.sessions.mintCode(),
    },
    {
      method: 'GET', url: '/events', operationId: 'streamEvents', tag: 'console', auth: true, produces: 'text/event-stream',
      summary: "Live updates (Server-Sent Events): this node's tasks and datasets when they change, the chain head when it moves",
      schema: { response: { 200: EventStreamSchema, ...errors(401) } },
      handler: (req, reply) => streamEvents(o, req, reply),
    },
    {
      method: 'GET', url: '/chain/network', operationId: 'getNetwork', tag: 'chain', auth: true,
      summary: 'The network as the chain records it: registered nodes (roles, stake, exit), block, gas price, chain id',
      schema: { response: { 200: obj('{ chainId, block, gasPrice, timestamp, self, minStake, nodes[] }'), ...errors(401, 502, 503) } },
      handler: () => chain().network(),
    },
    {
      method: 'GET', url: '/chain/datasets', operationId: 'getMarket', tag: 'chain', auth: true,
      summary: "Every listed dataset (owner, price, rows, commitment, schema, sale offer) with the data tokens this node holds, and this node's payment-token balance",
      schema: { response: { 200: obj('{ self, balance, datasets[] }'), ...errors(401, 502, 503) } },
      handler: () => chain().market(),
    },
    {
      method: 'POST', url: '/chain/datasets/:id/buy', operationId: 'buyDataTokens', tag: 'chain', auth: true,
      summary: "Buys uses (data tokens) of a dataset on sale, paid from this node's account",
      schema: { params: DatasetIdParamsSchema, body: BuyBodySchema, response: { 200: BuyResultSchema, ...errors(400, 401, 502, 503) } },
      handler: (req) => chain().buy((req.params as { id: string }).id, (req.body as { uses: number }).uses),
    },
    {
      method: 'POST', url: '/chain/tasks', operationId: 'createTask', tag: 'chain', auth: true,
      summary: "Creates a task with this node's account as the requester (parameters checked against the program and the datasets' schemas before any transaction)",
      schema: { body: CreateTaskBodySchema, response: { 200: CreatedTaskSchema, ...errors(400, 401, 502, 503) } },
      handler: (req) => chain().createTask(req.body as CreateTaskBody),
    },
    {
      method: 'GET', url: '/chain/tasks/:id', operationId: 'getTaskTimeline', tag: 'chain', auth: true,
      summary: "A task's on-chain timeline: parties and their consent, commitments and reveals, events with gas, settlement and payments, outcome",
      schema: { params: ChainTaskParamsSchema, response: { 200: obj('{ taskId, status, parties[], events[], gasTotal, outcome }'), ...errors(400, 401, 404, 502, 503) } },
      handler: (req) => chain().timeline((req.params as { id: string }).id),
    },
    {
      method: 'GET', url: '/chain/clearing', operationId: 'getClearingCycles', tag: 'chain', auth: true,
      summary: 'Clearing cycles from the Clearing contract: banks, locks, approvals, status',
      schema: { response: { 200: obj('{ available, reason?, cycles[] }'), ...errors(401, 502, 503) } },
      handler: () => chain().clearing(),
    },
    {
      method: 'GET', url: '/chain/keys', operationId: 'getThresholdKeys', tag: 'chain', auth: true,
      summary: 'Threshold keys from the KeyRegistry: epochs, thresholds, members, rotations',
      schema: { response: { 200: obj('{ available, reason?, keys[] }'), ...errors(401, 502, 503) } },
      handler: () => chain().keys(),
    },
    {
      method: 'GET', url: '/chain/claims', operationId: 'getZkClaims', tag: 'chain', auth: true,
      summary: 'Zero-knowledge claims ZkClaims verified and recorded: claim id, circuit, prover, the commitments referenced (dataset, task result or registered), block, transaction, gas',
      schema: { response: { 200: obj('{ available, reason?, address?, claims[] }'), ...errors(401, 502, 503) } },
      handler: () => chain().claims(),
    },
  ];
}

/** SSE: polls the store (cheap SQLite reads) and the chain head; sends only what changed. */
function streamEvents(o: ConsoleRouteOptions, req: FastifyRequest, reply: FastifyReply): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', connection: 'keep-alive' });
  const last: Record<string, string> = {};
  const send = (event: string, data: unknown) => {
    const json = JSON.stringify(data);
    if (last[event] === json) return;
    last[event] = json;
    res.write(`event: ${event}\ndata: ${json}\n\n`);
  };
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      send('tasks', { tasks: o.store.listTasks({ limit: 100, offset: 0 }).map(taskView) });
      send('datasets', { datasets: o.store.listDatasets() });
      if (o.chain) send('chain', await o.chain.head().catch(() => ({ error: 'chain unreachable' })));
    } finally {
      busy = false;
    }
  };
  res.write('retry: 2000\n\n');
  void tick();
  const timer = setInterval(() => void tick(), 1000);
  const ping = setInterval(() => res.write(': ping\n\n'), 15000);
  o.streams.add(reply);
  const end = () => {
    clearInterval(timer);
    clearInterval(ping);
    o.streams.delete(reply);
  };
  req.raw.on('close', end);
  res.on('close', end);
}
