import { z } from 'zod';

/**
 * A repository's pull-request walk that has not reached its end, saved as the scope's cursor after
 * every stored page so a run killed mid-repository goes on at the next page instead of the
 * repository's first (issue 11). The list is newest first, so until the walk ends the cursor an
 * incremental run may trust stays where it was (`since`): a run of either mode that finds a walk
 * finishes it before the cursor moves on to `reached`.
 */
const walkSchema = z.object({
  walk: z.object({
    /** The saved cursor the walk stops at (the overlap is taken off when reading it). */
    since: z.string().nullable(),
    /** The latest `updated_at` listed so far: the scope's cursor once the walk ends. */
    reached: z.string().nullable(),
    /** Where to go on: GraphQL's `endCursor`, or the REST list page's URL. */
    after: z.string(),
    /** REST: how many items of that list page are stored already. */
    skip: z.number().int().nonnegative().default(0),
    /** GraphQL: reviews (node id, pull number) whose comments were not looked up yet. */
    pending: z.array(z.tuple([z.string(), z.number().int()])).default([]),
  }),
});
export type Walk = z.infer<typeof walkSchema>['walk'];

export interface WalkStart {
  since: string | null;
  cursor: string | null;
  walk: Walk | null;
}

/** Reads a saved pull-request cursor: an instant (`since`), or a walk to go on with. */
export function readWalk(saved: string | null | undefined): WalkStart {
  if (saved === null || saved === undefined) return { since: null, cursor: null, walk: null };
  if (!saved.startsWith('{')) return { since: saved, cursor: saved, walk: null };
  let json: unknown;
  try {
    json = JSON.parse(saved);
  } catch {
    json = null;
  }
  const parsed = walkSchema.safeParse(json);
  // Unreadable: walk the repository again from its start rather than trust half of it.
  if (!parsed.success) return { since: null, cursor: null, walk: null };
  return { since: parsed.data.walk.since, cursor: parsed.data.walk.reached, walk: parsed.data.walk };
}

/** The cursor to save for a walk that goes on. */
export function walkCursor(walk: Walk): string {
  return JSON.stringify({ walk });
}
