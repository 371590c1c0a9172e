import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Cron } from 'croner';
import { patch, post } from '../api.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { JobControls } from '../components/JobControls.tsx';
import { JobProgress } from '../components/JobProgress.tsx';
import { Link } from '../components/Link.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { ago, when } from '../format.ts';
import { useIntegrations, useJobs } from '../hooks.ts';
import { navigate } from '../router.ts';
import { STREAMS, type Integration, type Job } from '../types.ts';

/** The next cron tick, as the backend's scheduler computes it (UTC). */
function nextRun(schedule: string | null): string | null {
  if (!schedule) return null;
  try {
    return new Cron(schedule, { paused: true, timezone: 'UTC' }).nextRun()?.toISOString() ?? null;
  } catch {
    return null;
  }
}

function RunNow({ integration, onStarted }: { integration: Integration; onStarted: () => void }) {
  const client = useQueryClient();
  const streams = STREAMS[integration.type];
  const [chosen, setChosen] = useState<string[]>([...streams]);
  const [mode, setMode] = useState<'incremental' | 'full'>('incremental');
  const run = useMutation({
    mutationFn: () =>
      post<{ job_id: number }>(`/api/v1/integrations/${integration.id}/runs`, {
        mode,
        ...(chosen.length === streams.length ? {} : { streams: chosen }),
      }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['jobs'] });
      onStarted();
    },
  });
  return (
    <form
      className="run-form"
      aria-label={`run ${integration.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        run.mutate();
      }}
    >
      <fieldset>
        <legend>Streams</legend>
        {streams.map((s) => (
          <label key={s} className="inline">
            <input
              type="checkbox"
              checked={chosen.includes(s)}
              onChange={(e) => setChosen(e.target.checked ? [...chosen, s] : chosen.filter((c) => c !== s))}
            />
            {s}
          </label>
        ))}
      </fieldset>
      <label className="inline">
        Mode
        <select value={mode} onChange={(e) => setMode(e.target.value === 'full' ? 'full' : 'incremental')}>
          <option value="incremental">incremental</option>
          <option value="full">full</option>
        </select>
      </label>
      <button type="submit" disabled={chosen.length === 0 || run.isPending}>
        Start run
      </button>
      <ErrorNote error={run.error} />
    </form>
  );
}

function IntegrationCard({ integration, lastJob }: { integration: Integration; lastJob: Job | undefined }) {
  const client = useQueryClient();
  const [running, setRunning] = useState(false);
  const refresh = () => client.invalidateQueries({ queryKey: ['integrations'] });
  const test = useMutation({
    mutationFn: () =>
      post<{ ok: boolean; error: string | null; at: string }>(`/api/v1/integrations/${integration.id}/test`),
    onSettled: refresh,
  });
  const toggle = useMutation({
    mutationFn: () =>
      patch<Integration>(`/api/v1/integrations/${integration.id}`, { enabled: !integration.enabled }),
    onSettled: refresh,
  });
  const next = integration.enabled ? nextRun(integration.schedule) : null;
  const active = lastJob && ['PENDING', 'RUNNING', 'PAUSED'].includes(lastJob.status) ? lastJob : undefined;
  const result = test.data ?? integration.last_test;
  return (
    <article className="card" aria-labelledby={`integration-${integration.id}`}>
      <header>
        <h2 id={`integration-${integration.id}`}>{integration.name}</h2>
        <span className="muted">
          {integration.type} · {integration.base_url}
        </span>
        <span className={`badge ${integration.enabled ? 'ok' : 'muted'}`}>
          {integration.enabled ? 'enabled' : 'disabled'}
        </span>
      </header>
      <dl className="facts">
        <dt>Last run</dt>
        <dd>
          {lastJob ? (
            <>
              <Link to={`/jobs/${lastJob.id}`}>job {lastJob.id}</Link> <StatusBadge status={lastJob.status} />{' '}
              {ago(lastJob.created_at)}
            </>
          ) : (
            'never'
          )}
        </dd>
        <dt>Next scheduled run</dt>
        <dd>{next ? when(next) : integration.schedule ? 'when enabled' : 'manual only'}</dd>
        <dt>Connection test</dt>
        <dd>
          {result ? (
            <span className={result.ok ? 'ok-text' : 'error-text'} role="status">
              {result.ok ? 'Connection OK' : `Connection failed: ${result.error ?? 'unknown error'}`} (
              {ago(result.at)})
            </span>
          ) : (
            'not tested yet'
          )}
        </dd>
      </dl>
      <div className="actions">
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
          {test.isPending ? 'Testing…' : 'Test connection'}
        </button>
        <button type="button" onClick={() => toggle.mutate()} disabled={toggle.isPending}>
          {integration.enabled ? 'Disable' : 'Enable'}
        </button>
        <button
          type="button"
          onClick={() => setRunning(!running)}
          aria-expanded={running}
          disabled={Boolean(active)}
        >
          Run now
        </button>
        <button type="button" onClick={() => navigate(`/integrations/${integration.id}/edit`)}>
          Edit
        </button>
      </div>
      <ErrorNote error={test.error ?? toggle.error} />
      {running && !active ? <RunNow integration={integration} onStarted={() => setRunning(false)} /> : null}
      {active ? (
        <section aria-label={`active job of ${integration.name}`}>
          <p>
            <Link to={`/jobs/${active.id}`}>Job {active.id}</Link> <StatusBadge status={active.status} />
            {active.pause_reason ? ` · ${active.pause_reason}` : ''}
          </p>
          <JobProgress job={active} />
          <JobControls job={active} />
        </section>
      ) : null}
    </article>
  );
}

export function Integrations() {
  const integrations = useIntegrations();
  const jobs = useJobs({ limit: 100 });
  const lastOf = (id: number) => jobs.data?.jobs.find((j) => j.integration_id === id);
  return (
    <>
      <div className="title-row">
        <h1>Integrations</h1>
        <button type="button" onClick={() => navigate('/integrations/new')}>
          New integration
        </button>
      </div>
      <ErrorNote error={integrations.error} />
      {integrations.data?.length === 0 ? <p className="muted">No integrations yet.</p> : null}
      {integrations.data?.map((integration) => (
        <IntegrationCard key={integration.id} integration={integration} lastJob={lastOf(integration.id)} />
      ))}
    </>
  );
}
