// Helpers for tests that drive streams the way the job runner does: collect pages, keep checkpoints.
import type { RunMode } from '@tributary/contracts';
import type { Page, StreamContext, StreamPosition, StreamReader } from './types.ts';

/** Saved positions by scope, as the runner keeps them between runs. */
export type Positions = Map<string, StreamPosition>;

/** A stream context over `positions`; mode full hides them, as the runner does. */
export function contextFor(
  mode: RunMode,
  positions: Positions = new Map(),
  signal?: AbortSignal,
): StreamContext {
  return {
    mode,
    position: (scope) => (mode === 'full' ? undefined : positions.get(scope)),
    signal: signal ?? new AbortController().signal,
  };
}

/** Runs a stream to its end, saving each checkpoint after its page (records are "stored" by collecting them). */
export async function drain(
  reader: StreamReader,
  context: StreamContext,
  positions: Positions = new Map(),
): Promise<Page[]> {
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

/** The context of a full run taken over mid-way: it sees the positions this same job saved. */
export function resumedContext(positions: Positions, signal?: AbortSignal): StreamContext {
  return {
    mode: 'full',
    position: (scope) => positions.get(scope),
    signal: signal ?? new AbortController().signal,
  };
}

/**
 * Reads a stream as a runner that is killed does: pages up to the last saved checkpoint are
 * stored (and their positions kept), the pages read after it are lost. The kill comes once
 * `killAt(page)` says so, with that page read but not stored.
 */
export async function drainUntilKilled(
  reader: StreamReader,
  context: StreamContext,
  positions: Positions,
  killAt: (page: Page) => boolean,
): Promise<{ stored: Page[]; lost: Page[] }> {
  const stored: Page[] = [];
  let lost: Page[] = [];
  for await (const page of reader(context)) {
    if (killAt(page)) {
      lost.push(page);
      return { stored, lost };
    }
    lost.push(page);
    if (page.checkpoint) {
      stored.push(...lost);
      lost = [];
      positions.set(page.checkpoint.scope, {
        cursor: page.checkpoint.cursor,
        etag: page.checkpoint.etag ?? positions.get(page.checkpoint.scope)?.etag ?? null,
      });
    }
  }
  throw new Error('the stream ended before the kill');
}
