/**
 * The Tacit console: a single page served by each node at `/`. It logs in with the node's
 * API token (or the sandbox's one-time link), keeps no credential itself (the session is an
 * HttpOnly cookie), routes by the URL's fragment (#/network, #/tasks/7 …) so the node serves
 * one file, and reads everything from the node's documented API plus its event stream.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, setUnauthorizedHandler } from './api';
import { startLive, stopLive, useLive } from './live';
import { Login } from './pages/Login';
import { NetworkPage } from './pages/Network';
import { DataPage } from './pages/Data';
import { MarketPage } from './pages/Market';
import { TasksPage } from './pages/Tasks';
import { TaskPage } from './pages/Task';
import { ClearingPage, KeysPage, ProofsPage } from './pages/Ledger';
import './styles.css';

const PAGES = [
  ['network', 'Network'],
  ['data', 'Data'],
  ['market', 'Market'],
  ['tasks', 'Tasks'],
  ['clearing', 'Clearing'],
  ['keys', 'Keys'],
  ['proofs', 'Proofs'],
] as const;

function useRoute(): string[] {
  const parse = () => (location.hash.replace(/^#\/?/, '') || 'network').split('?')[0]!.split('/');
  const [r, set] = useState(parse);
  useEffect(() => {
    const on = () => set(parse());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return r;
}

function Shell({ onLogout }: { onLogout: () => void }) {
  const route = useRoute();
  const live = useLive();
  const [page, arg] = route;
  const first = useRef(true);
  useEffect(() => {
    const title = PAGES.find(([p]) => p === page)?.[1] ?? 'Tacit';
    document.title = `${arg ? `${title} #${arg}` : title} · Tacit console`;
    // after a page change, focus moves to the new content (not on first load: Tab starts at the top)
    if (!first.current) document.getElementById('main')?.focus();
    first.current = false;
  }, [page, arg]);
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <span class="brand">Tacit</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map(([p, label]) => (
              <li><a href={`#/${p}`} aria-current={page === p ? 'page' : undefined}>{label}</a></li>
            ))}
          </ul>
        </nav>
        <span class={`live ${live.connected ? 'on' : 'off'}`} role="status" aria-live="polite">
          {live.connected ? `live · block ${live.chain?.block ?? '…'}` : 'reconnecting…'}
        </span>
        <button type="button" class="link" onClick={onLogout}>Log out</button>
      </header>
      <main id="main" tabIndex={-1}>
        {page === 'network' && <NetworkPage />}
        {page === 'data' && <DataPage />}
        {page === 'market' && <MarketPage />}
        {page === 'tasks' && !arg && <TasksPage />}
        {page === 'tasks' && arg && <TaskPage id={arg} />}
        {page === 'clearing' && <ClearingPage />}
        {page === 'keys' && <KeysPage />}
        {page === 'proofs' && <ProofsPage />}
        {!PAGES.some(([p]) => p === page) && <p>No page “{page}”. <a href="#/network">Go to the network</a>.</p>}
      </main>
    </div>
  );
}

function App() {
  const [state, set] = useState<'checking' | 'out' | 'in'>('checking');
  const [loginError, setLoginError] = useState<unknown>();
  useEffect(() => {
    setUnauthorizedHandler(() => {
      stopLive();
      set('out');
    });
    (async () => {
      // A one-time login link (#code=…): spend the code for a session cookie, then drop it from the URL.
      const m = /(?:^#|[&?])code=([A-Za-z0-9_-]+)/.exec(location.hash);
      if (m) {
        history.replaceState(null, '', `${location.pathname}#/network`);
        try {
          await api('POST', '/session', { code: m[1] }, { quiet401: true });
        } catch (e) {
          setLoginError(e instanceof ApiError ? e : new ApiError(0, 'Error', String(e)));
        }
      }
      try {
        await api('GET', '/session', undefined, { quiet401: true });
        set('in');
      } catch {
        set('out');
      }
    })();
  }, []);
  useEffect(() => {
    if (state === 'in') startLive();
  }, [state]);
  if (state === 'checking') return <p class="center" role="status">Connecting to the node…</p>;
  if (state === 'out') return <Login initialError={loginError} onLogin={() => set('in')} />;
  return (
    <Shell
      onLogout={async () => {
        await api('DELETE', '/session').catch(() => {});
        stopLive();
        set('out');
      }}
    />
  );
}

render(<App />, document.getElementById('app')!);
