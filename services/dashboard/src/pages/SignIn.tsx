import { useState, type SyntheticEvent } from 'react';
import { ApiError, get, session } from '../api.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';

/** Sign-in with a tenant (or the operator's) token; the token is checked against the API before it is kept. */
export function SignIn({ onSignedIn }: { onSignedIn: (admin: boolean) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    session.set(token.trim());
    try {
      const who = await get<{ kind: 'tenant' | 'admin' }>('/api/v1/session');
      onSignedIn(who.kind === 'admin');
    } catch (e) {
      session.set(null);
      setError(e instanceof ApiError && e.status === 401 ? new Error('That token is not valid.') : e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1>Tributary</h1>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="token">Token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          required
          autoFocus
        />
        <button type="submit" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
        <ErrorNote error={error} />
        <p className="hint">
          Use the tenant token printed by `pnpm start` (or the operator token for the admin views). It stays
          in this tab only.
        </p>
      </form>
    </main>
  );
}
