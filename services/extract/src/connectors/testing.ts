// Helpers for tests that drive streams the way the job runner does: collect pages, keep checkpoints.
import type { RunMode } from '@tributary/contracts';
import type { Page, StreamContext, StreamPosition, StreamReader } from './types.ts';

/** Saved positions by scope, as the runner keeps them between runs. */
export type Positions = Map<string, StreamPosition>;

/** A stream context over `positions`; mode full hides them, as the runner does. */
export function contextFor(mode: RunMode, positions: Positions = new Map(), signal?: AbortSignal): StreamContext {
  return {
    mode,
    position: (scope) => (mode === 'full' ? undefined : positions.get(scope)),
    signal: signal ?? new AbortController().signal,
  };
}

/** Runs a stream to its end, saving each checkpoint after its page (records are "stored" by collecting them). */
export async function drain(reader: StreamReader, context: StreamContext, positions: Positions = new Map()): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const page of reader(context)) {
    pages.push(page);
    if (page.checkpoint) {
      const before = positions.get(page.checkpoint.scope);
      positions.set(page.checkpoint.scope, {
        cursor: page.checkpoint.cursor,
        etag: page.checkpoint.etag === undefined ? (before?.etag ?? null) : page.checkpoint.etag,
      });
    }
  }
  return pages;
}
