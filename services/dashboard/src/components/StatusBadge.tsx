import type { JobStatus } from '../types.ts';

/** A job's state as a coloured word (the word is what counts; colour only helps). */
export function StatusBadge({ status }: { status: JobStatus }) {
  return <span className={`badge status-${status.toLowerCase()}`}>{status}</span>;
}
