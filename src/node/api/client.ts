/**
 * A small typed client of the node API for local tools (`tacit data …`) and tests: fetch,
 * the bearer token when one is given, and errors that say what happened — the node is not
 * running (nothing listens at its API address), or the API refused (NodeApiError carrying
 * the API's error name, message, hint and CSV problems).
 */
import { NodeApiError, NodeNotRunningError } from '../errors.js';
import type { PublishResult } from '../datasets/publish.js';
import type { DatasetRecord } from '../store/index.js';
import type { HealthBody, ImportDatasetBody, NodeInfo, PublishDatasetBody, TaskResultBody, TaskView } from './schemas.js';

export interface NodeApiClientOptions {
  /** Bearer token for routes that need it. */
  token?: string;
  /** Per-request timeout in ms (default 30 s; publishing waits for the chain: 180 s). */
  timeoutMs?: number;
}

export class NodeApiClient {
  constructor(
    readonly url: string,
    private readonly options: NodeApiClientOptions = {},
  ) {}

  health(): Promise<HealthBody> {
    return this.request('GET', '/health');
  }

  node(): Promise<NodeInfo> {
    return this.request('GET', '/node');
  }

  async listDatasets(): Promise<DatasetRecord[]> {
    return (await this.request<{ datasets: DatasetRecord[] }>('GET', '/datasets')).datasets;
  }

  importDataset(body: ImportDatasetBody): Promise<DatasetRecord> {
    return this.request('POST', '/datasets', body, 600_000);
  }

  publishDataset(name: string, body: PublishDatasetBody): Promise<Omit<PublishResult, 'dataset'> & { dataset: DatasetRecord }> {
    return this.request('POST', `/datasets/${encodeURIComponent(name)}/publish`, body, 180_000);
  }

  openSale(name: string, body: { pricePerUse: string; uses?: number }): Promise<{ datasetId: string; pricePerUse: string; uses: number }> {
    return this.request('POST', `/datasets/${encodeURIComponent(name)}/sale`, body, 180_000);
  }

  closeSale(name: string): Promise<{ datasetId: string; open: false }> {
    return this.request('DELETE', `/datasets/${encodeURIComponent(name)}/sale`, undefined, 180_000);
  }

  async listTasks(query: { status?: string; limit?: number; offset?: number } = {}): Promise<TaskView[]> {
    const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, String(v)])).toString();
    return (await this.request<{ tasks: TaskView[] }>('GET', `/tasks${qs ? `?${qs}` : ''}`)).tasks;
  }

  task(id: number): Promise<TaskView> {
    return this.request('GET', `/tasks/${id}`);
  }

  taskResult(id: number): Promise<TaskResultBody> {
    return this.request('GET', `/tasks/${id}/result`);
  }

  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs ?? this.options.timeoutMs ?? 30_000),
      });
    } catch (cause) {
      const code = (cause as { cause?: { code?: string } }).cause?.code;
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ECONNRESET') {
        throw new NodeNotRunningError(`the node is not running: nothing answers at ${this.url}`, {
          hint: 'start it with `tacit node start --dir DIR` (or check api.host/api.port in node.json)',
          cause,
        });
      }
      if ((cause as Error).name === 'TimeoutError') {
        throw new NodeNotRunningError(`the node at ${this.url} did not answer in time`, { hint: 'it may be busy or stuck; check its log', cause });
      }
      throw new NodeNotRunningError(`cannot reach the node at ${this.url}`, { cause });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) throw new NodeApiError(res.status, (json ?? {}) as ConstructorParameters<typeof NodeApiError>[1]);
    return json as T;
  }
}
