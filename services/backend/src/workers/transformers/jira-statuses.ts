import { z } from 'zod';
import { defineTransformer, jiraId, parseRaw, row } from './shared.ts';

/** A status from `GET /rest/api/3/status`. */
const statusSchema = z.looseObject({
  id: jiraId,
  name: z.string(),
  statusCategory: z
    .looseObject({
      key: z.string().nullish(),
      name: z.string().nullish(),
    })
    .nullish(),
});

export const jiraStatusesTransformer = defineTransformer('jira_statuses', (raw) => {
  const s = parseRaw(statusSchema, raw);
  return [
    row('jira_statuses', s.id, {
      name: s.name,
      category_key: s.statusCategory?.key ?? null,
      category_name: s.statusCategory?.name ?? null,
    }),
  ];
});
