import { z } from 'zod';
import { issuePath, parseTimestamp, type EntityType } from '@tributary/contracts';
import { TransformError } from './types.ts';
import type { NormalizedRow, NormalizedTable, RawRecordContext, Transformer } from './types.ts';

// ---------------------------------------------------------------------------
// Parsing and errors

/** Parses `raw` with `schema`; a mismatch is a TransformError naming the first wrong field. */
export function parseRaw<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new TransformError('', 'record does not match the expected shape');
  throw new TransformError(issuePath(issue.path), issue.message);
}

/** Builds a transformer from an entity type and a function of the raw record. */
export function defineTransformer(
  entityType: EntityType,
  transform: (raw: unknown, context: RawRecordContext) => NormalizedRow[],
): Transformer {
  return { entityType, transform };
}

export function row(
  table: NormalizedTable,
  externalId: string,
  columns: NormalizedRow['columns'],
): NormalizedRow {
  return { table, externalId, columns };
}

// ---------------------------------------------------------------------------
// Scalars

/** A timestamp as either source writes it (ISO 8601 any offset, or epoch ms number / numeric string), as a Date. */
export const timestamp = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const date = parseTimestamp(value);
  if (date === null) {
    ctx.addIssue({
      code: 'custom',
      message: `not a timestamp: ${JSON.stringify(String(value).slice(0, 40))}`,
    });
    return z.NEVER;
  }
  return date;
});

/** A timestamp that may be null or absent (→ null). */
export const optionalTimestamp = timestamp.nullish().transform((d) => d ?? null);

/** Optional text: null or absent → null. */
export const optionalText = z
  .string()
  .nullish()
  .transform((s) => s ?? null);

/** Jira ids are strings on the wire (`"10001"`); a number is accepted and written as text. */
export const jiraId = z.union([z.string().min(1), z.number().int()]).transform(String);

/** GitHub ids are integers. */
export const githubId = z.number().int();

// ---------------------------------------------------------------------------
// Users

/** A Jira Cloud user (`accountId`, `displayName`, avatars, …); null for unassigned / anonymous. */
export const jiraUser = z.looseObject({
  accountId: z.string().nullish(),
  displayName: z.string().nullish(),
});
export type JiraUser = z.output<typeof jiraUser>;

export function jiraUserColumns(user: JiraUser | null | undefined): {
  accountId: string | null;
  name: string | null;
} {
  return { accountId: user?.accountId ?? null, name: user?.displayName ?? null };
}

/**
 * A GitHub simple user. `null` for deleted accounts ("ghost"); commit authors that match no
 * account come back as null too (and occasionally as `{}`), so `login` is optional.
 */
export const githubUser = z.looseObject({
  login: z.string().nullish(),
  id: z.number().int().nullish(),
});
export type GithubUser = z.output<typeof githubUser>;

export function loginOf(user: GithubUser | null | undefined): string | null {
  return user?.login ?? null;
}

// ---------------------------------------------------------------------------
// GitHub scope: the repository and pull number the record was fetched for (extraction metadata,
// written from the request) win; URLs inside the payload are only a fallback for records stored
// without it — they point at the new name after a rename or transfer.

const PULL_URL = /\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)(?:[/?#]|$)/;
const REPO_URL = /\/repos\/([^/]+)\/([^/?#]+)/;

/** `https://api.github.com/repos/octo/hello/pulls/42` → `{ repository: 'octo/hello', pullNumber: 42 }`. */
export function parsePullUrl(
  url: string | null | undefined,
): { repository: string; pullNumber: number } | null {
  if (!url) return null;
  const m = PULL_URL.exec(url);
  if (!m || !m[1] || !m[2] || !m[3]) return null;
  return { repository: `${decode(m[1])}/${decode(m[2])}`, pullNumber: Number(m[3]) };
}

/** Any `.../repos/{owner}/{repo}[/...]` URL → `owner/repo`. */
export function parseRepoUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  const m = REPO_URL.exec(url);
  if (!m || !m[1] || !m[2]) return null;
  return `${decode(m[1])}/${decode(m[2])}`;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `metadata.repository` when it is an `owner/repo` string. */
export function metadataRepository(context: RawRecordContext): string | null {
  const value = context.metadata.repository;
  return typeof value === 'string' && /^[^/\s]+\/[^/\s]+$/.test(value) ? value : null;
}

/** `metadata.pull_number` as a positive integer (a numeric string is accepted), else null. */
export function metadataPullNumber(context: RawRecordContext): number | null {
  const value = context.metadata.pull_number;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** The repository the record was fetched for, else the one a URL in the record names; neither is an error on `field`. */
export function requireRepository(
  field: string,
  fromRecord: string | null,
  context: RawRecordContext,
): string {
  const repository = metadataRepository(context) ?? fromRecord;
  if (repository === null) {
    throw new TransformError(field, 'no repository: not in the record and no metadata.repository');
  }
  return repository;
}
