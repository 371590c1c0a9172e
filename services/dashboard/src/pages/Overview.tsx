import { useMutation, useQueryClient } from '@tanstack/react-query';
import { post } from '../api.ts';
import { BreakerBadge } from '../components/BreakerBadge.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { JobProgress } from '../components/JobProgress.tsx';
import { Link } from '../components/Link.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { Table } from '../components/Table.tsx';
import { ago, num } from '../format.ts';
import { useHealth, useIntegrations, useJobs } from '../hooks.ts';
import type { Breaker, SystemHealth } from '../types.ts';

function Health({ health }: { health: SystemHealth }) {
  return (
    <ul className="health" aria-label="system health">
      <li className={health.database.ok ? 'ok' : 'bad'}>
        Database: {health.database.ok ? 'up' : `down (${health.database.error ?? 'unknown'})`}
      </li>
      <li className={health.broker.ok ? 'ok' : 'bad'}>
        Broker:{' '}
        {health.broker.ok
          ? health.broker.blocked
            ? 'blocked'
            : 'up'
          : `down (${health.broker.error ?? 'unknown'})`}
      </li>
      {health.queues.map((q) => (
        <li key={q.name}>
          Queue {q.name}: {q.depth === null ? 'unknown' : `${num(q.depth)} waiting`}
        </li>
      ))}
    </ul>
  );
}

function Breakers({ breakers, error }: { breakers: Breaker[] | null; error: string | null }) {
  const client = useQueryClient();
  const reset = useMutation({
    mutationFn: (name: string) => post(`/api/v1/system/breakers/${encodeURIComponent(name)}/reset`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['health'] }),
  });
  if (!breakers) return <p className="muted">Breakers unknown: {error}</p>;
  if (breakers.length === 0)
    return <p className="muted">No circuit breakers yet (they appear with the first source call).</p>;
  return (
    <>
      <Table columns={['Breaker', 'State', 'Failures', 'Last error', { hidden: 'Actions' }]}>
        {breakers.map((b) => (
          <tr key={b.name}>
            <td>{b.name}</td>
            <td>
              <BreakerBadge breaker={b} />
            </td>
            <td>{b.failures}</td>
            <td className="wrap">{b.last_error ?? '—'}</td>
            <td>
              {b.resettable && b.state !== 'CLOSED' ? (
                <button type="button" onClick={() => reset.mutate(b.name)} disabled={reset.isPending}>
                  Reset {b.name}
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </Table>
      <ErrorNote error={reset.error} />
    </>
  );
}

/** The operator sees system health; jobs and integrations belong to tenants (their tokens show them). */
export function Overview({ admin }: { admin: boolean }) {
  const health = useHealth();
  const running = useJobs({ status: 'RUNNING' }, !admin);
  const paused = useJobs({ status: 'PAUSED' }, !admin);
  const failed = useJobs({ status: 'FAILED', limit: 5 }, !admin);
  const integrations = useIntegrations(!admin);
  const nameOf = (id: number) => integrations.data?.find((i) => i.id === id)?.name ?? `integration ${id}`;
  const active = [...(running.data?.jobs ?? []), ...(paused.data?.jobs ?? [])];
  return (
    <>
      <h1>Overview</h1>
      <section aria-labelledby="health-h">
        <h2 id="health-h">System health</h2>
        {health.data ? <Health health={health.data} /> : <ErrorNote error={health.error} />}
      </section>
      <section aria-labelledby="breakers-h">
        <h2 id="breakers-h">Circuit breakers</h2>
        {health.data ? <Breakers breakers={health.data.breakers} error={health.data.breakers_error} /> : null}
      </section>
      {admin ? null : (
        <>
          <section aria-labelledby="running-h">
            <h2 id="running-h">Running jobs</h2>
            {active.length === 0 ? <p className="muted">Nothing is running.</p> : null}
            {active.map((job) => (
              <article key={job.id} className="card">
                <header>
                  <Link to={`/jobs/${job.id}`}>Job {job.id}</Link> · {nameOf(job.integration_id)}{' '}
                  <StatusBadge status={job.status} />
                </header>
                <JobProgress job={job} />
              </article>
            ))}
          </section>
          <section aria-labelledby="failures-h">
            <h2 id="failures-h">Recent failures</h2>
            {(failed.data?.jobs ?? []).length === 0 ? <p className="muted">No failed jobs.</p> : null}
            <ul className="failures">
              {(failed.data?.jobs ?? []).map((job) => (
                <li key={job.id}>
                  <Link to={`/jobs/${job.id}`}>Job {job.id}</Link> · {nameOf(job.integration_id)} ·{' '}
                  {ago(job.finished_at)}:{' '}
                  <span className="error-text">{job.error ?? 'no reason recorded'}</span>
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
    </>
  );
}
