import { z } from 'zod';
import { defineTransformer, jiraId, jiraUser, jiraUserColumns, parseRaw, row } from './shared.ts';

/** A project from `GET /rest/api/3/project/search` → `values[]`. */
const projectSchema = z.looseObject({
  id: jiraId,
  key: z.string().min(1),
  name: z.string(),
  projectTypeKey: z.string().nullish(),
  lead: jiraUser.nullish(),
});

export const jiraProjectsTransformer = defineTransformer('jira_projects', (raw) => {
  const p = parseRaw(projectSchema, raw);
  const lead = jiraUserColumns(p.lead);
  return [
    row('jira_projects', p.id, {
      key: p.key,
      name: p.name,
      project_type: p.projectTypeKey ?? null,
      lead_account_id: lead.accountId,
      lead_name: lead.name,
    }),
  ];
});
