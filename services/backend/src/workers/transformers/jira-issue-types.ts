import { z } from 'zod';
import { defineTransformer, jiraId, parseRaw, row } from './shared.ts';

/** An issue type from `GET /rest/api/3/issuetype`. */
const issueTypeSchema = z.looseObject({
  id: jiraId,
  name: z.string(),
  subtask: z.boolean().nullish(),
  hierarchyLevel: z.number().int().nullish(),
});

export const jiraIssueTypesTransformer = defineTransformer('jira_issue_types', (raw) => {
  const t = parseRaw(issueTypeSchema, raw);
  return [
    row('jira_issue_types', t.id, {
      name: t.name,
      subtask: t.subtask ?? false,
      hierarchy_level: t.hierarchyLevel ?? null,
    }),
  ];
});
