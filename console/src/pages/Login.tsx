/** Login with the node's API token; the answer is a session cookie, the token is forgotten. */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorBox, Field } from '../components/ui';

export function Login(props: { onLogin: () => void; initialError?: unknown }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(props.initialError);
  const [invalid, setInvalid] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const t = token.trim();
    if (!/^[0-9a-f]{64}$/.test(t)) {
      setInvalid('the API token is 64 lower-case hex digits (in <node dir>/api-token)');
      return;
    }
    setInvalid(undefined);
    setBusy(true);
    try {
      await api('POST', '/session', { token: t }, { quiet401: true });
      setToken('');
      props.onLogin();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login" id="main">
      <h1>Tacit console</h1>
      <p>Log in to this node with its API token. The token is exchanged for a session cookie and not kept by the page.</p>
      <form onSubmit={submit} noValidate aria-label="Log in">
        <Field label="API token" hint="64 hex digits from <node dir>/api-token" error={invalid}>
          {(id, d) => (
            <input id={id} name="token" type="password" autoComplete="current-password" spellcheck={false} value={token} aria-describedby={d} aria-invalid={invalid ? 'true' : undefined} onInput={(e) => setToken((e.target as HTMLInputElement).value)} required />
          )}
        </Field>
        <button type="submit" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
      </form>
      <ErrorBox error={error} />
    </main>
  );
}
