import type { SourceClient } from '../../http/source-client.ts';
import { isRecord } from '../shared.ts';
import type { JiraScopeConfig } from './issues.ts';

/** Names Jira Cloud gives the story-points field: company-managed, then team-managed projects. */
export const STORY_POINTS_FIELD_NAMES = ['Story Points', 'Story point estimate'] as const;
/** Jira Software's sprint field type (its id differs per site). */
const SPRINT_FIELD_TYPE = 'com.pyxis.greenhopper.jira:gh-sprint';

/** What a run needs to know about the Jira site and user before it searches. */
export interface JiraSite {
  /** The integration user's zone (`/myself`); JQL dates are read in it. */
  timeZone: string;
  /** Custom field ids to request besides the fixed list. */
  extraFields: string[];
  /** Written on every issue record, so the transformer reads the right custom fields. */
  metadata: { time_zone: string; story_points_field: string | null; sprint_field: string | null };
}

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/**
 * Reads `/myself` (time zone) and `/field` (story points by name unless the config names an id;
 * the sprint field by its type). A site without those fields is fine: they are simply null.
 */
export async function discoverSite(
  client: SourceClient,
  config: JiraScopeConfig,
  signal: AbortSignal,
): Promise<JiraSite> {
  const myself = await client.get('/rest/api/3/myself', { signal });
  const zone =
    isRecord(myself.body) && typeof myself.body.timeZone === 'string' ? myself.body.timeZone : 'UTC';
  // An unknown zone name would make every bound unreadable; UTC with the overlap is the best guess left.
  const timeZone = isTimeZone(zone) ? zone : 'UTC';
  const fieldsRes = await client.get('/rest/api/3/field', { signal });
  const fields = Array.isArray(fieldsRes.body) ? fieldsRes.body.filter(isRecord) : [];
  const byName = (name: string) =>
    fields.find(
      (f) => f.custom === true && typeof f.name === 'string' && f.name.toLowerCase() === name.toLowerCase(),
    );
  const idOf = (field: Record<string, unknown> | undefined): string | null =>
    typeof field?.id === 'string' && field.id !== '' ? field.id : null;
  const configured = config.story_points_field?.trim();
  const storyPoints =
    configured && configured !== ''
      ? configured
      : (STORY_POINTS_FIELD_NAMES.map((name) => idOf(byName(name))).find((id) => id !== null) ?? null);
  const sprint =
    idOf(fields.find((f) => isRecord(f.schema) && f.schema.custom === SPRINT_FIELD_TYPE)) ??
    idOf(byName('Sprint'));
  return {
    timeZone,
    extraFields: [storyPoints, sprint].filter((id): id is string => typeof id === 'string'),
    metadata: { time_zone: timeZone, story_points_field: storyPoints, sprint_field: sprint },
  };
}
