/**
 * The console's only way to the node: same-origin fetches to the node's documented API
 * (/openapi.json), authenticated by the HttpOnly session cookie the browser sends by itself.
 * Every request carries the X-Tacit-Console header, which the node requires of cookie
 * sessions for anything that changes state (CSRF defence; see src/node/api/session.ts).
 * Errors come back as the API's `{ error, message, hint, problems }` in an ApiError.
 */
export interface Problem {
  line: number;
  column?: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly hint?: string,
    readonly problems?: Problem[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Called when the node answers 401 to a logged-in page (session expired or logged out). */
let onUnauthorized: () => void = () => {};
export const setUnauthorizedHandler = (f: () => void) => {
  onUnauthorized = f;
};

export async function api<T = any>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { 'x-tacit-console': '1', accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiError(0, 'NetworkError', 'the node did not answer', 'is it running?');
  }
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    if (res.status === 401 && !opts.quiet401) onUnauthorized();
    throw new ApiError(res.status, json?.error ?? `HTTP ${res.status}`, json?.message ?? (text.slice(0, 200) || res.statusText), json?.hint, json?.problems);
  }
  return (json ?? text) as T;
}

export const get = <T = any>(path: string) => api<T>('GET', path);
export const post = <T = any>(path: string, body: unknown = {}) => api<T>('POST', path, body);

/** Prometheus text → { name{labels}: value } for the few lines the console shows. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}
