import type { Job, StreamProgress } from '../types.ts';
import { duration, num } from '../format.ts';

function streamProgress(job: Job, stream: string): StreamProgress {
  const value = job.progress[stream];
  return typeof value === 'object' && value !== null ? (value as StreamProgress) : {};
}

/**
 * Per-stream progress: records so far, the rate since the job started, and an ETA
 * where the total is knowable (a stream that reports `total`). Sources rarely say
 * how much is left, so the bar is indeterminate otherwise rather than invented.
 */
export function JobProgress({ job }: { job: Job }) {
  const running = job.status === 'RUNNING';
  const startedAt = job.started_at ? new Date(job.started_at).getTime() : null;
  const end = job.finished_at ? new Date(job.finished_at).getTime() : Date.now();
  const elapsed = startedAt ? Math.max(1, (end - startedAt) / 1000) : null;
  return (
    <ul className="streams" aria-label={`progress of job ${job.id}`}>
      {job.streams.map((stream) => {
        const p = streamProgress(job, stream);
        const records = typeof p.records === 'number' ? p.records : 0;
        const total = typeof p.total === 'number' && p.total > 0 ? p.total : null;
        const rate = elapsed && records > 0 ? records / elapsed : null;
        const done = !running && job.status === 'FINISHED';
        const eta = running && total && rate ? (total - records) / rate : null;
        const started = p.records !== undefined;
        return (
          <li key={stream}>
            <div className="stream-head">
              <span className="stream-name">{stream}</span>
              <span>
                {num(records)} records{p.pages !== undefined ? ` · ${num(p.pages)} pages` : ''}
                {rate && running ? ` · ${num(rate, 1)}/s` : ''}
                {eta !== null ? ` · ETA ${duration(eta)}` : ''}
              </span>
            </div>
            <progress
              aria-label={`${stream} progress`}
              max={total ?? 1}
              value={done || (started && !running) ? (total ?? 1) : total ? records : undefined}
            />
          </li>
        );
      })}
    </ul>
  );
}
