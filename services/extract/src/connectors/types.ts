import type { EntityType, RunMode, StreamName } from '@tributary/contracts';

/** One record as the source sent it, ready for the raw-data API. */
export interface SourceRecord {
  externalId: string;
  /** The source's JSON, unchanged (a Jira issue is stored without its inline changelog, which is its own record). */
  rawData: Record<string, unknown>;
  /** URL, params, fetched-at, headers that matter, and scope (repository, pull number) for transformers. */
  metadata: Record<string, unknown>;
}

/** Where a stream stands for one scope (a repository, a project set, or '' for the whole integration). */
export interface StreamPosition {
  cursor: string | null;
  etag: string | null;
}

/**
 * What a stream yields: a page of records of one entity type, and optionally the
 * position to save once those records are stored. A page may carry no records
 * (a 304, or a checkpoint at the end of a walk).
 */
export interface Page {
  entityType: EntityType;
  records: SourceRecord[];
  checkpoint?: { scope: string; cursor: string | null; etag?: string | null };
}

export interface StreamContext {
  mode: RunMode;
  /**
   * Where to start for a scope: the integration's saved position (incremental), or in a full
   * run the position this same job reached before it was taken over; undefined: from the start.
   */
  position: (scope: string) => StreamPosition | undefined;
  signal: AbortSignal;
}

export type StreamReader = (context: StreamContext) => AsyncGenerator<Page, void, undefined>;

/** A source: a connection test and its streams (DESIGN §3). Adding a source is adding a folder of these. */
export interface Connector {
  testConnection: (signal?: AbortSignal) => Promise<void>;
  streams: Partial<Record<StreamName, StreamReader>>;
}
