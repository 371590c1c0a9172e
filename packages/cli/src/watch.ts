import { z } from 'zod';
import { jobProgressSchema, type JobProgress } from '@tributary/contracts';

/** The parts of a job `watch` shows. */
export const watchedJobSchema = z.object({
  id: z.number(),
  status: z.string(),
  streams: z.array(z.string()),
  progress: z.unknown(),
  error: z.string().nullable(),
  error_code: z.string().nullable().optional(),
  extraction_finished_at: z.string().nullable(),
  records_transformed: z.number(),
});
export type WatchedJob = z.infer<typeof watchedJobSchema>;

const TERMINAL = new Set(['FINISHED', 'FAILED', 'CANCELLED']);
const BAR = 20;

export interface WatchIo {
  out: (line: string) => void;
  /** Raw terminal output (no newline added); present only when stdout is a terminal. */
  write?: (text: string) => void;
  sleep: (ms: number) => Promise<unknown>;
  now: () => number;
}

function progressOf(job: WatchedJob): JobProgress {
  const parsed = jobProgressSchema.safeParse(job.progress);
  return parsed.success ? parsed.data : {};
}

const seenOf = (progress: JobProgress, stream: string) =>
  Object.values(progress[stream]?.entities ?? {}).reduce((sum, counts) => sum + counts.seen, 0);

/** One line per stream: state, a bar of the job's streams, counts per entity type and the rate since the last poll. */
export function renderLines(job: WatchedJob, rates: Readonly<Record<string, number>>): string[] {
  const progress = progressOf(job);
  const started = job.streams.map((stream) => progress[stream] !== undefined);
  const lastStarted = started.lastIndexOf(true);
  const extractionDone = job.extraction_finished_at !== null || TERMINAL.has(job.status);
  const lines = job.streams.map((stream, index) => {
    const state =
      extractionDone || index < lastStarted ? 'done' : index === lastStarted ? 'reading' : 'waiting';
    const filled = state === 'done' ? BAR : state === 'reading' ? Math.floor(BAR / 2) : 0;
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}]`;
    const entities = Object.entries(progress[stream]?.entities ?? {})
      .map(
        ([type, c]) =>
          `${type} ${c.seen} seen, ${c.new} new, ${c.unchanged} unchanged${c.failed ? `, ${c.failed} failed` : ''}`,
      )
      .join('; ');
    const rate = rates[stream];
    return `${stream.padEnd(13)} ${bar} ${state.padEnd(7)} ${entities || '-'}${rate && state === 'reading' ? ` (${rate.toFixed(0)}/s)` : ''}`;
  });
  const done = extractionDone ? job.streams.length : Math.max(0, lastStarted);
  lines.unshift(
    `job ${job.id} ${job.status} — streams ${done}/${job.streams.length}, ${job.records_transformed} records transformed`,
  );
  return lines;
}

/**
 * Follows a job until it ends: redraws the per-stream lines in place on a terminal,
 * prints a line whenever something changed otherwise. Resolves with the final job.
 */
export async function watchJob(
  fetchJob: () => Promise<WatchedJob>,
  io: WatchIo,
  intervalMs: number,
): Promise<WatchedJob> {
  let drawn = 0;
  let lastPlain = '';
  let previous: { at: number; seen: Record<string, number> } | undefined;
  for (;;) {
    const job = await fetchJob();
    const now = io.now();
    const progress = progressOf(job);
    const seen = Object.fromEntries(job.streams.map((stream) => [stream, seenOf(progress, stream)]));
    const rates: Record<string, number> = {};
    if (previous && now > previous.at) {
      for (const stream of job.streams)
        rates[stream] = ((seen[stream] ?? 0) - (previous.seen[stream] ?? 0)) / ((now - previous.at) / 1000);
    }
    previous = { at: now, seen };
    const lines = renderLines(job, rates);
    if (io.write) {
      // Up over what was drawn last time, clearing each line as it is redrawn.
      io.write(`${drawn > 0 ? `\x1b[${drawn}A` : ''}${lines.map((line) => `\x1b[2K${line}\n`).join('')}`);
      drawn = lines.length;
    } else {
      const plain = lines.join(' | ');
      if (plain !== lastPlain) io.out(plain);
      lastPlain = plain;
    }
    if (TERMINAL.has(job.status)) {
      io.out(
        job.status === 'FINISHED'
          ? `job ${job.id} FINISHED`
          : `job ${job.id} ${job.status}${job.error ? `: ${job.error_code ? `[${job.error_code}] ` : ''}${job.error}` : ''}`,
      );
      return job;
    }
    await io.sleep(intervalMs);
  }
}
