/**
 * Live state from the node's Server-Sent Events stream (GET /events, authenticated by the
 * session cookie): the latest `tasks`, `datasets` and `chain` payloads, shared by every page
 * through one EventSource. The browser reconnects by itself after a drop (the stream sets
 * `retry`); `connected` says whether the stream is up, for the status badge.
 */
import { useEffect, useState } from 'preact/hooks';

export interface LiveState {
  connected: boolean;
  tasks?: { tasks: any[] };
  datasets?: { datasets: any[] };
  chain?: { block: string; gasPrice: string; timestamp: number; error?: string };
}

let state: LiveState = { connected: false };
let source: EventSource | undefined;
const listeners = new Set<(s: LiveState) => void>();
const emit = (patch: Partial<LiveState>) => {
  state = { ...state, ...patch };
  for (const l of listeners) l(state);
};

export function startLive(): void {
  if (source) return;
  source = new EventSource('/events', { withCredentials: true });
  source.onopen = () => emit({ connected: true });
  source.onerror = () => emit({ connected: false });
  for (const name of ['tasks', 'datasets', 'chain'] as const) {
    source.addEventListener(name, (e) => emit({ [name]: JSON.parse((e as MessageEvent).data) }));
  }
}

export function stopLive(): void {
  source?.close();
  source = undefined;
  state = { connected: false };
}

export function useLive(): LiveState {
  const [s, set] = useState(state);
  useEffect(() => {
    listeners.add(set);
    set(state);
    return () => void listeners.delete(set);
  }, []);
  return s;
}
