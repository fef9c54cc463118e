/** Small accessible building blocks: labelled fields, error and status boxes, a data hook. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, get } from '../api';

let ids = 0;
export function Field(props: { label: string; hint?: string; error?: string | undefined; children: (id: string, describedBy?: string) => ComponentChildren }) {
  const [id] = useState(() => `f${++ids}`);
  const described = [props.hint ? `${id}-hint` : '', props.error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${props.error ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children(id, described)}
      {props.hint && <small id={`${id}-hint`}>{props.hint}</small>}
      {props.error && <small id={`${id}-err`} class="field-error" role="alert">{props.error}</small>}
    </div>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError(0, 'Error', String((error as Error)?.message ?? error));
  return (
    <div class="error" role="alert">
      <strong>{e.error}</strong>: {e.message}
      {e.hint && <div class="hint">{e.hint}</div>}
      {e.problems && e.problems.length > 0 && (
        <table class="problems">
          <caption>Problems in the file ({e.problems.length})</caption>
          <thead><tr><th scope="col">line</th><th scope="col">column</th><th scope="col">reason</th></tr></thead>
          <tbody>
            {e.problems.slice(0, 50).map((p) => <tr><td>{p.line}</td><td>{p.column ?? ''}</td><td>{p.reason}</td></tr>)}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return <div class="notice" role="status">{children}</div>;
}

export function Section(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card" aria-label={props.title}>
      <header><h2>{props.title}</h2>{props.actions}</header>
      {props.children}
    </section>
  );
}

/** GETs `path` (again when `deps` change or `reload()` is called). */
export function useGet<T = any>(path: string | null, deps: unknown[] = []): { data?: T; error?: unknown; loading: boolean; reload: () => void } {
  const [n, setN] = useState(0);
  const [s, set] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  useEffect(() => {
    if (!path) return;
    let live = true;
    set((o) => ({ ...o, loading: true }));
    get<T>(path).then((data) => live && set({ data, loading: false }), (error) => live && set({ error, loading: false }));
    return () => {
      live = false;
    };
  }, [path, n, ...deps]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { ...s, reload };
}

export function Status({ value }: { value: string }) {
  return <span class={`status status-${value.toLowerCase()}`}>{value}</span>;
}
