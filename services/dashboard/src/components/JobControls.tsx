import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { post } from '../api.ts';
import type { Job } from '../types.ts';
import { Confirm } from './Confirm.tsx';
import { ErrorNote } from './ErrorNote.tsx';

type Action = 'pause' | 'resume' | 'cancel';
const LABEL: Record<Action, string> = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel job' };

/** Pause / resume / cancel, each confirmed first; the answer updates the cache at once. */
export function JobControls({ job }: { job: Job }) {
  const client = useQueryClient();
  const [asking, setAsking] = useState<Action | null>(null);
  const act = useMutation({
    mutationFn: (action: Action) => post<Job>(`/api/v1/jobs/${job.id}/${action}`),
    onSuccess: (updated) => {
      client.setQueryData(['job', updated.id], updated);
      void client.invalidateQueries({ queryKey: ['jobs'] });
      setAsking(null);
    },
  });
  const actions: Action[] = [];
  if (job.status === 'RUNNING') actions.push('pause');
  if (job.status === 'PAUSED') actions.push('resume');
  if (['PENDING', 'RUNNING', 'PAUSED'].includes(job.status) && !job.cancel_requested) actions.push('cancel');
  if (actions.length === 0) return null;
  return (
    <div className="actions">
      {actions.map((action) => (
        <button
          key={action}
          type="button"
          onClick={() => setAsking(action)}
          className={action === 'cancel' ? 'danger' : undefined}
        >
          {LABEL[action]}
        </button>
      ))}
      {asking ? (
        <Confirm
          title={`${LABEL[asking]} job ${job.id}?`}
          confirmLabel={`Yes, ${asking}`}
          busy={act.isPending}
          onConfirm={() => act.mutate(asking)}
          onCancel={() => setAsking(null)}
        >
          <p>
            {asking === 'pause'
              ? 'The extractor stops before its next request; nothing fetched so far is lost.'
              : asking === 'resume'
                ? 'The run continues from its last saved position.'
                : 'The run stops; records already stored stay. A new run starts from the saved cursors.'}
          </p>
          <ErrorNote error={act.error} />
        </Confirm>
      ) : null}
      {!asking ? <ErrorNote error={act.error} /> : null}
    </div>
  );
}
