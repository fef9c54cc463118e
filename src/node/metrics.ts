/**
 * What a node exposes to Prometheus at GET /metrics. One registry per node (not
 * prom-client's global one), so several nodes in one process — tests, the sandbox — keep
 * separate counts. Quantities that live in the database (tasks per status, rows per
 * dataset) are read from it at scrape time rather than tracked in memory, so they are right
 * after a restart and nobody has to remember to update them; the rest are counters and
 * histograms the daemon, the publisher and the API feed as things happen.
 *
 * Labels stay low-cardinality: statuses, programs, peers (a task has at most 16 parties),
 * contract methods, route patterns — never task ids, row ids or values.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { NodeStore } from './store/index.js';

export interface NodeMetrics {
  registry: Registry;
  /** Tasks known to this node by status (read from the store at scrape time). */
  tasks: Gauge<'status'>;
  /** Wall time of finished tasks, from acceptance to the end, by program and outcome. */
  taskDuration: Histogram<'program' | 'outcome'>;
  /** Payload bytes this node sent to each peer in MPC sessions. */
  mpcBytesSent: Counter<'peer'>;
  /** Chain transactions sent, by contract method and outcome (success | reverted | failed). */
  chainTransactions: Counter<'method' | 'outcome'>;
  /** Rows per stored dataset (read from the store at scrape time). */
  datasetRows: Gauge<'dataset'>;
  /** API requests by method, route pattern and status code. */
  apiRequests: Counter<'method' | 'route' | 'status'>;
  /** API latency by method and route pattern. */
  apiRequestDuration: Histogram<'method' | 'route'>;
}

export interface NodeMetricsOptions {
  /** Store to read task and dataset gauges from. */
  store?: NodeStore;
  /** Also export prom-client's process metrics (CPU, memory, event-loop lag, GC) with prefix tacit_ (default true). */
  processMetrics?: boolean;
}

export function createNodeMetrics(options: NodeMetricsOptions = {}): NodeMetrics {
  const registry = new Registry();
  const store = options.store;
  const readable = () => store !== undefined && store.db.open;
  const tasks = new Gauge({
    name: 'tacit_tasks',
    help: 'Tasks known to this node, by status',
    labelNames: ['status'] as const,
    registers: [registry],
    collect() {
      if (!readable()) return;
      this.reset();
      for (const [status, n] of Object.entries(store!.countTasksByStatus())) this.set({ status }, n);
    },
  });
  const datasetRows = new Gauge({
    name: 'tacit_dataset_rows',
    help: 'Rows of each dataset stored in this node',
    labelNames: ['dataset'] as const,
    registers: [registry],
    collect() {
      if (!readable()) return;
      this.reset();
      for (const [dataset, n] of Object.entries(store!.datasetRows())) this.set({ dataset }, n);
    },
  });
  const metrics: NodeMetrics = {
    registry,
    tasks,
    datasetRows,
    taskDuration: new Histogram({
      name: 'tacit_task_duration_seconds',
      help: 'Wall time of finished tasks, by program and outcome',
      labelNames: ['program', 'outcome'] as const,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600],
      registers: [registry],
    }),
    mpcBytesSent: new Counter({
      name: 'tacit_mpc_bytes_sent_total',
      help: 'Payload bytes sent to each peer in MPC sessions',
      labelNames: ['peer'] as const,
      registers: [registry],
    }),
    chainTransactions: new Counter({
      name: 'tacit_chain_transactions_total',
      help: 'Chain transactions sent by this node, by method and outcome',
      labelNames: ['method', 'outcome'] as const,
      registers: [registry],
    }),
    apiRequests: new Counter({
      name: 'tacit_api_requests_total',
      help: 'HTTP API requests, by method, route and status code',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    apiRequestDuration: new Histogram({
      name: 'tacit_api_request_duration_seconds',
      help: 'HTTP API latency, by method and route',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
  };
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'tacit_' });
  return metrics;
}
