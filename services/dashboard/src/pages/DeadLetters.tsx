import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { del, post } from '../api.ts';
import { Confirm } from '../components/Confirm.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { FilterSelect } from '../components/FilterSelect.tsx';
import { Table } from '../components/Table.tsx';
import { when } from '../format.ts';
import { useDeadLetter, useDeadLetters, type DeadLetterFilter } from '../hooks.ts';
import { ENTITY_TYPES } from '../types.ts';

interface ReplayResult {
  replayed: number[];
  skipped: { id: number; reason: string }[];
}

/** `YYYY-MM-DD` from a date input as the start of that UTC day. */
const dayStart = (day: string) => (day ? `${day}T00:00:00Z` : undefined);

function Detail({ id, onClose }: { id: number; onClose: () => void }) {
  const letter = useDeadLetter(id);
  const client = useQueryClient();
  const [discarding, setDiscarding] = useState(false);
  const done = () => {
    void client.invalidateQueries({ queryKey: ['dead-letters'] });
    void client.invalidateQueries({ queryKey: ['dead-letter', id] });
  };
  const replay = useMutation({
    mutationFn: () => post<ReplayResult>('/api/v1/dead-letters/replay', { ids: [id] }),
    onSuccess: done,
  });
  const discard = useMutation({
    mutationFn: () => del(`/api/v1/dead-letters/${id}`),
    onSuccess: () => {
      setDiscarding(false);
      done();
    },
  });
  if (!letter.data) return <ErrorNote error={letter.error} />;
  const d = letter.data;
  return (
    <section className="card detail" aria-labelledby="detail-h">
      <header>
        <h2 id="detail-h">Dead letter {d.id}</h2>
        <span className={`badge dl-${d.status}`}>{d.status}</span>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </header>
      <dl className="facts">
        <dt>Reason</dt>
        <dd className="wrap">{d.reason}</dd>
        <dt>Entity type</dt>
        <dd>{d.entity_type ?? '—'}</dd>
        <dt>Routing key</dt>
        <dd>{d.routing_key}</dd>
        <dt>Attempts</dt>
        <dd>{d.attempts}</dd>
        <dt>Dead since</dt>
        <dd>{when(d.dead_lettered_at)}</dd>
      </dl>
      <div className="actions">
        <button
          type="button"
          onClick={() => replay.mutate()}
          disabled={replay.isPending || d.status !== 'dead'}
        >
          Replay dead letter {d.id}
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => setDiscarding(true)}
          disabled={d.status === 'discarded'}
        >
          Discard
        </button>
      </div>
      {replay.data ? (
        <p role="status">
          {replay.data.replayed.length > 0
            ? `Replayed ${replay.data.replayed.length}.`
            : `Not replayed: ${replay.data.skipped.map((s) => s.reason).join(', ')}`}
        </p>
      ) : null}
      <ErrorNote error={replay.error ?? discard.error} />
      {discarding ? (
        <Confirm
          title={`Discard dead letter ${d.id}?`}
          confirmLabel="Yes, discard"
          busy={discard.isPending}
          onConfirm={() => discard.mutate()}
          onCancel={() => setDiscarding(false)}
        >
          <p>It stays in the archive, marked discarded, and will not be replayed by a filter.</p>
        </Confirm>
      ) : null}
      <h3>Error</h3>
      <pre className="wrap">{d.error_stack ?? d.reason}</pre>
      <h3>Headers</h3>
      <pre>{JSON.stringify(d.headers ?? {}, null, 2)}</pre>
      <h3>Body</h3>
      <pre>{typeof d.body === 'string' ? d.body : JSON.stringify(d.body, null, 2)}</pre>
      <h3>Audit trail</h3>
      {d.audit && d.audit.length > 0 ? (
        <ul aria-label="audit trail">
          {d.audit.map((a, i) => (
            <li key={i}>
              {when(a.at)} — {a.action} by {a.actor}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No replays or discards yet.</p>
      )}
    </section>
  );
}

export function DeadLetters() {
  const client = useQueryClient();
  const [entityType, setEntityType] = useState('');
  const [reason, setReason] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [status, setStatus] = useState('dead');
  const [selected, setSelected] = useState<number[]>([]);
  const [open, setOpen] = useState<number | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);
  const filter: DeadLetterFilter = {
    entity_type: entityType || undefined,
    reason: reason || undefined,
    since: dayStart(since),
    until: dayStart(until),
    status: status || undefined,
  };
  const letters = useDeadLetters(filter);
  const replay = useMutation({
    mutationFn: (body: unknown) => post<ReplayResult>('/api/v1/dead-letters/replay', body),
    onSuccess: () => {
      setSelected([]);
      setConfirmAll(false);
      void client.invalidateQueries({ queryKey: ['dead-letters'] });
    },
  });
  const filterBody = {
    entity_type: filter.entity_type,
    reason: filter.reason,
    since: filter.since,
    until: filter.until,
  };
  return (
    <>
      <h1>Dead letters</h1>
      <form className="filters" aria-label="dead letter filters" onSubmit={(e) => e.preventDefault()}>
        <FilterSelect
          label="Entity type"
          value={entityType}
          onChange={setEntityType}
          options={ENTITY_TYPES}
        />
        <label>
          Reason contains
          <input value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <label>
          From
          <input type="date" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <label>
          Until
          <input type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
        </label>
        <FilterSelect
          label="Status"
          value={status}
          onChange={setStatus}
          options={['dead', 'replayed', 'discarded']}
        />
      </form>
      <div className="actions">
        <button
          type="button"
          disabled={selected.length === 0 || replay.isPending}
          onClick={() => replay.mutate({ ids: selected })}
        >
          Replay selected ({selected.length})
        </button>
        <button
          type="button"
          disabled={!letters.data?.length || replay.isPending}
          onClick={() => setConfirmAll(true)}
        >
          Replay all matching
        </button>
      </div>
      {replay.data ? (
        <p role="status">
          Replayed {replay.data.replayed.length}
          {replay.data.skipped.length ? `, skipped ${replay.data.skipped.length}` : ''}.
        </p>
      ) : null}
      <ErrorNote error={replay.error ?? letters.error} />
      {confirmAll ? (
        <Confirm
          title="Replay every dead letter matching the filter?"
          confirmLabel="Yes, replay"
          busy={replay.isPending}
          onConfirm={() => replay.mutate({ filter: filterBody })}
          onCancel={() => setConfirmAll(false)}
        >
          <p>Each is republished to its original queue with its message id; loading is idempotent.</p>
        </Confirm>
      ) : null}
      <Table columns={[{ hidden: 'Select' }, 'Id', 'Entity type', 'Reason', 'Status', 'Dead since']}>
        {letters.data?.map((d) => (
          <tr key={d.id} className={open === d.id ? 'selected' : undefined}>
            <td>
              <input
                type="checkbox"
                aria-label={`select dead letter ${d.id}`}
                checked={selected.includes(d.id)}
                onChange={(e) =>
                  setSelected(e.target.checked ? [...selected, d.id] : selected.filter((s) => s !== d.id))
                }
              />
            </td>
            <td>
              <button type="button" className="link" onClick={() => setOpen(d.id)}>
                Inspect {d.id}
              </button>
            </td>
            <td>{d.entity_type ?? '—'}</td>
            <td className="wrap">{d.reason}</td>
            <td>
              <span className={`badge dl-${d.status}`}>{d.status}</span>
            </td>
            <td>{when(d.dead_lettered_at)}</td>
          </tr>
        ))}
      </Table>
      {letters.data?.length === 0 ? <p className="muted">No dead letters match.</p> : null}
      {open !== null ? <Detail id={open} onClose={() => setOpen(null)} /> : null}
    </>
  );
}
