import { useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { post } from '../api.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { FilterSelect } from '../components/FilterSelect.tsx';
import { JobControls } from '../components/JobControls.tsx';
import { JobProgress } from '../components/JobProgress.tsx';
import { Link } from '../components/Link.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { Table } from '../components/Table.tsx';
import { ago, duration, num, when } from '../format.ts';
import { useIntegrations, useJob, useJobs } from '../hooks.ts';
import { navigate } from '../router.ts';
import type { Job } from '../types.ts';

const STATUSES = ['PENDING', 'RUNNING', 'PAUSED', 'FINISHED', 'FAILED', 'CANCELLED'];

export function Jobs() {
  const [status, setStatus] = useState('');
  const [integration, setIntegration] = useState('');
  const integrations = useIntegrations();
  const jobs = useJobs({ status: status || undefined, integration_id: integration || undefined, limit: 100 });
  const nameOf = (id: number) => integrations.data?.find((i) => i.id === id)?.name ?? `#${id}`;
  return (
    <>
      <h1>Jobs</h1>
      <form className="filters" aria-label="job filters" onSubmit={(e) => e.preventDefault()}>
        <FilterSelect label="Status" value={status} onChange={setStatus} options={STATUSES} />
        <FilterSelect
          label="Integration"
          value={integration}
          onChange={setIntegration}
          options={integrations.data?.map((i) => ({ value: i.id, label: i.name })) ?? []}
        />
      </form>
      <ErrorNote error={jobs.error} />
      <Table
        columns={[
          'Job',
          'Integration',
          'Status',
          'Trigger',
          'Seen',
          'New',
          'Unchanged',
          'Failed',
          'Loaded',
          'Created',
        ]}
      >
        {jobs.data?.jobs.map((job) => (
          <tr key={job.id}>
            <td>
              <Link to={`/jobs/${job.id}`}>Job {job.id}</Link>
            </td>
            <td>{nameOf(job.integration_id)}</td>
            <td>
              <StatusBadge status={job.status} />
            </td>
            <td>{job.trigger}</td>
            <td>{num(job.records_seen)}</td>
            <td>{num(job.records_extracted)}</td>
            <td>{num(job.records_unchanged)}</td>
            <td>{num(job.records_failed)}</td>
            <td>{num(job.records_transformed)}</td>
            <td>{ago(job.created_at)}</td>
          </tr>
        ))}
      </Table>
      {jobs.data?.jobs.length === 0 ? <p className="muted">No jobs match.</p> : null}
    </>
  );
}

/** The job's life as far as its timestamps tell it. */
function Timeline({ job }: { job: Job }) {
  const steps: [string, string | null][] = [
    ['Created', job.created_at],
    ['Started', job.started_at],
    ['Extraction finished', job.extraction_finished_at],
    [
      job.status === 'FAILED' ? 'Failed' : job.status === 'CANCELLED' ? 'Cancelled' : 'Finished',
      job.finished_at,
    ],
  ];
  return (
    <ol className="timeline" aria-label="state timeline">
      {steps.map(([label, at]) => (
        <li key={label} className={at ? 'done' : 'todo'}>
          <strong>{label}</strong> {at ? when(at) : '—'}
        </li>
      ))}
      {job.status === 'PAUSED' ? (
        <li className="done">
          <strong>Paused</strong> {job.paused_by === 'system' ? 'by the system' : 'by a person'}
          {job.pause_reason ? `: ${job.pause_reason}` : ''}
        </li>
      ) : null}
      {job.next_retry_at ? (
        <li className="todo">
          <strong>Next retry</strong> {when(job.next_retry_at)} (attempt {job.attempts + 1})
        </li>
      ) : null}
    </ol>
  );
}

export function JobPage({ id }: { id: number }) {
  const job = useJob(id);
  const integrations = useIntegrations();
  const rerun = useMutation({
    mutationFn: (j: Job) =>
      post<{ job_id: number }>(`/api/v1/integrations/${j.integration_id}/runs`, {
        streams: j.streams,
        mode: j.mode,
      }),
    onSuccess: (started) => navigate(`/jobs/${started.job_id}`),
  });
  if (job.error) return <ErrorNote error={job.error} />;
  if (!job.data) return <p aria-busy="true">Loading…</p>;
  const j = job.data;
  const integration = integrations.data?.find((i) => i.id === j.integration_id);
  const started = j.started_at ? new Date(j.started_at).getTime() : null;
  const ended = j.finished_at ? new Date(j.finished_at).getTime() : null;
  return (
    <>
      <div className="title-row">
        <h1>Job {j.id}</h1>
        <StatusBadge status={j.status} />
      </div>
      <p>
        {integration ? integration.name : `integration ${j.integration_id}`} · {j.mode} · {j.trigger} ·
        attempt {j.attempts}
        {started && ended ? ` · took ${duration((ended - started) / 1000)}` : ''}
      </p>
      {j.error ? (
        <section aria-labelledby="error-h" className="error-box">
          <h2 id="error-h">Error</h2>
          <pre className="wrap">{j.error}</pre>
        </section>
      ) : null}
      <JobControls job={j} />
      {['FINISHED', 'FAILED', 'CANCELLED'].includes(j.status) ? (
        <div className="actions">
          <button type="button" onClick={() => rerun.mutate(j)} disabled={rerun.isPending}>
            Rerun
          </button>
          <ErrorNote error={rerun.error} />
        </div>
      ) : null}
      <section aria-labelledby="counts-h">
        <h2 id="counts-h">Counts</h2>
        <dl className="facts">
          <dt>Seen</dt>
          <dd>{num(j.records_seen)}</dd>
          <dt>New</dt>
          <dd>{num(j.records_extracted)}</dd>
          <dt>Unchanged</dt>
          <dd>{num(j.records_unchanged)}</dd>
          <dt>Loaded</dt>
          <dd>{num(j.records_transformed)}</dd>
          <dt>Refused / failed records</dt>
          <dd>
            {num(j.records_failed)}
            {j.records_failed > 0 ? (
              <>
                {' '}
                (<Link to="/dead-letters">see dead letters</Link>)
              </>
            ) : null}
          </dd>
        </dl>
      </section>
      <section aria-labelledby="streams-h">
        <h2 id="streams-h">Streams</h2>
        <JobProgress job={j} />
      </section>
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Timeline</h2>
        <Timeline job={j} />
      </section>
    </>
  );
}
