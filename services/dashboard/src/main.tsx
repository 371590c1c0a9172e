import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { ApiError, session } from './api.ts';
import { Link } from './components/Link.tsx';
import { createLiveChannel, POLL_CHOICES, useLive, type LiveChannel } from './live.ts';
import { match, navigate, usePath } from './router.ts';
import { DeadLetters } from './pages/DeadLetters.tsx';
import { Flow } from './pages/Flow.tsx';
import { IntegrationForm } from './pages/IntegrationForm.tsx';
import { Integrations } from './pages/Integrations.tsx';
import { JobPage, Jobs } from './pages/Jobs.tsx';
import { Metrics } from './pages/Metrics.tsx';
import { Overview } from './pages/Overview.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { Tenants } from './pages/Tenants.tsx';
import { useIntegrations } from './hooks.ts';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      // A 4xx will not get better by asking again.
      retry: (count, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});
const live: LiveChannel = createLiveChannel(queryClient);

const TENANT_NAV = [
  ['/', 'Overview'],
  ['/integrations', 'Integrations'],
  ['/jobs', 'Jobs'],
  ['/dead-letters', 'Dead letters'],
  ['/flow', 'Flow'],
  ['/metrics', 'Metrics'],
] as const;
const ADMIN_NAV = [
  ['/', 'Overview'],
  ['/dead-letters', 'Dead letters'],
  ['/tenants', 'Tenants'],
] as const;

function LiveStatus() {
  const { mode, pollMs, setPollMs } = useLive();
  const label = POLL_CHOICES.find((c) => c.ms === pollMs)?.label ?? `${pollMs / 1000} s`;
  return (
    <div className="live">
      <span role="status" aria-live="polite" className={`badge mode-${mode}`}>
        {mode === 'live' ? 'live' : mode === 'polling' ? `polling every ${label}` : 'connecting…'}
      </span>
      <label className="inline">
        Refresh
        <select value={pollMs} onChange={(e) => setPollMs(Number(e.target.value))}>
          {POLL_CHOICES.map((c) => (
            <option key={c.ms} value={c.ms}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

function EditIntegration({ id }: { id: number }) {
  const integrations = useIntegrations();
  const existing = integrations.data?.find((i) => i.id === id);
  if (!existing) return <p aria-busy="true">Loading…</p>;
  return <IntegrationForm existing={existing} />;
}

function Page({ path, admin }: { path: string; admin: boolean }) {
  if (path === '/' || path === '') return <Overview admin={admin} />;
  if (path === '/dead-letters') return <DeadLetters />;
  if (admin) return path === '/tenants' ? <Tenants /> : <NotFound />;
  if (path === '/integrations') return <Integrations />;
  if (path === '/integrations/new') return <IntegrationForm />;
  const edit = match('/integrations/:id/edit', path);
  if (edit) return <EditIntegration id={Number(edit.id)} />;
  if (path === '/jobs') return <Jobs />;
  const job = match('/jobs/:id', path);
  if (job) return <JobPage key={job.id} id={Number(job.id)} />;
  if (path === '/flow') return <Flow />;
  if (path === '/metrics') return <Metrics />;
  return <NotFound />;
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <Link to="/">Back to the overview</Link>
    </>
  );
}

function App() {
  const client = useQueryClient();
  const path = usePath();
  const [signedIn, setSignedIn] = useState<{ admin: boolean } | null>(() =>
    session.token ? { admin: sessionStorage.getItem('tributary.admin') === 'true' } : null,
  );
  const [menuOpen, setMenuOpen] = useState(false);

  const signOut = () => {
    live.stop();
    session.set(null);
    sessionStorage.removeItem('tributary.admin');
    client.clear();
    setSignedIn(null);
  };
  useEffect(() => {
    session.onUnauthenticated(signOut);
  });
  useEffect(() => {
    if (signedIn && session.token) live.start(session.token);
    return () => live.stop();
  }, [signedIn]);
  useEffect(() => setMenuOpen(false), [path]);

  if (!signedIn) {
    return (
      <SignIn
        onSignedIn={(admin) => {
          sessionStorage.setItem('tributary.admin', String(admin));
          setSignedIn({ admin });
          navigate('/');
        }}
      />
    );
  }
  const nav = signedIn.admin ? ADMIN_NAV : TENANT_NAV;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Tributary{signedIn.admin ? ' · operator' : ''}</span>
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav id="nav" aria-label="main" className={menuOpen ? 'open' : undefined}>
          {nav.map(([to, label]) => (
            <Link key={to} to={to} current={to === '/' ? path === '/' : path.startsWith(to)}>
              {label}
            </Link>
          ))}
        </nav>
        <LiveStatus />
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} admin={signedIn.admin} />
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
