/**
 * The node API's clearing routes (served by src/node/api/server.ts like every other route,
 * and documented in its OpenAPI document):
 *
 *   POST   /clearing/queue        {path, liquidity, counterparties?}  the bank's standing queue (token)
 *   GET    /clearing/queue        its summary: counts and totals (token)
 *   DELETE /clearing/queue        withdraw it: the node declines later cycles (token)
 *   GET    /clearing/cycles       cycles this node is part of: status, roles, banks (no outputs)
 *   GET    /clearing/cycles/:id   one cycle with this bank's own outputs (token)
 *
 * A queue file is read by the node from its own host (the CLI sends an absolute path), as
 * dataset imports are: payments never pass through the CLI process.
 */
import type { ApiRoute } from '../api/server.js';
import { ErrorSchema } from '../api/schemas.js';
import { ResultNotAvailableError } from '../errors.js';
import type { NodeStore } from '../store/index.js';
import { cycleIds, getCycle, publicView } from './records.js';
import { QUEUE_KEY, queueSummary, readStandingQueue, submitStandingQueue } from './standing-queue.js';

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorSchema]));
const AnyObject = { type: 'object', additionalProperties: true } as const;
const QueueBody = {
  type: 'object',
  required: ['path', 'liquidity'],
  additionalProperties: false,
  properties: {
    path: { type: 'string', minLength: 1, maxLength: 4096, description: 'absolute path of the queue CSV on the node host (id,to,amount[,priority][,deadline]; cents)' },
    liquidity: { type: 'integer', minimum: 0, description: 'cents this bank locks for each cycle it joins' },
    counterparties: { type: 'array', maxItems: 1024, items: { type: 'string', minLength: 1, maxLength: 64 }, description: 'node names or addresses it is willing to clear with (default: any)' },
  },
} as const;
const CycleIdParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,20}$' } } } as const;

export function clearingRoutes(store: NodeStore): ApiRoute[] {
  return [
    {
      method: 'POST', url: '/clearing/queue', operationId: 'putClearingQueue', tag: 'clearing', auth: true,
      summary: "Replace this bank's standing payment queue and the liquidity it commits per clearing cycle (the node reads the file itself)",
      schema: { body: QueueBody, response: { 200: AnyObject, ...errors(400, 401) } },
      handler: (req) => queueSummary(submitStandingQueue(store, req.body as { path: string; liquidity: number; counterparties?: string[] })),
    },
    {
      method: 'GET', url: '/clearing/queue', operationId: 'getClearingQueue', tag: 'clearing', auth: true,
      summary: "This bank's standing queue: number of payments, total, liquidity, payments per receiver (no payment)",
      schema: { response: { 200: AnyObject, ...errors(401) } },
      handler: () => queueSummary(readStandingQueue(store)),
    },
    {
      method: 'DELETE', url: '/clearing/queue', operationId: 'deleteClearingQueue', tag: 'clearing', auth: true,
      summary: 'Withdraw the standing queue: the node declines the cycles opened from now on',
      schema: { response: { 200: AnyObject, ...errors(401) } },
      handler: () => ({ removed: store.deleteKv(QUEUE_KEY) }),
    },
    {
      method: 'GET', url: '/clearing/cycles', operationId: 'listClearingCycles', tag: 'clearing', auth: false,
      summary: "Clearing cycles this node is part of, newest first: status, roles, banks, deadline (no queue, no outputs)",
      schema: { response: { 200: AnyObject } },
      handler: () => ({ cycles: cycleIds(store).reverse().map((id) => getCycle(store, id)).filter((c) => c !== undefined).map(publicView) }),
    },
    {
      method: 'GET', url: '/clearing/cycles/:id', operationId: 'getClearingCycle', tag: 'clearing', auth: true,
      summary: "One cycle with this bank's own outputs: net position, its settled payments, settled payments to it",
      schema: { params: CycleIdParams, response: { 200: AnyObject, ...errors(400, 401, 404) } },
      handler: (req) => {
        const id = (req.params as { id: string }).id.replace(/^0+(?=\d)/, '');
        const rec = getCycle(store, id);
        if (!rec) throw new ResultNotAvailableError(`this node knows no clearing cycle ${id}`, { hint: 'it records a cycle once the block that opened it is confirmed, and only cycles that name it' });
        const { settlement: _s, ...rest } = rec;
        return rest;
      },
    },
  ];
}
