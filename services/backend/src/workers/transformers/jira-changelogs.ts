import { z } from 'zod';
import { TransformError } from './types.ts';
import type { NormalizedRow } from './types.ts';
import { defineTransformer, jiraId, jiraUser, jiraUserColumns, parseRaw, row, timestamp } from './shared.ts';

/**
 * A changelog item. Its `toString` key shadows `Object.prototype.toString`, so a record that lacks
 * it would be read as a function; give the item an own (undefined) `toString` before validating.
 */
const itemSchema = z.preprocess(
  (value) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) && !Object.hasOwn(value, 'toString')
      ? { ...value, toString: undefined }
      : value,
  z.looseObject({
    field: z.string().nullish(),
    fieldtype: z.string().nullish(),
    fieldId: z.string().nullish(),
    fromString: z.string().nullish(),
    toString: z.string().nullish(),
  }),
);

const historySchema = z.looseObject({
  id: jiraId,
  author: jiraUser.nullish(),
  created: timestamp,
  items: z.array(itemSchema),
});

/**
 * One issue's changelog as the extractor stores it: the inline `changelog.histories` (newest first)
 * or bulkfetch `changeHistories`, with the issue's id and key.
 */
const changelogSchema = z.looseObject({
  issueId: jiraId,
  issueKey: z.string().nullish(),
  histories: z.array(historySchema).optional(),
  changeHistories: z.array(historySchema).optional(),
});

/** The workflow status (a custom field that happens to be named "status" is not it). */
function isStatusItem(item: {
  field?: string | null;
  fieldtype?: string | null;
  fieldId?: string | null;
}): boolean {
  return item.fieldId === 'status' || (item.field === 'status' && item.fieldtype !== 'custom');
}

/**
 * One transition row per status item, external id `<history id>:<item index>` (index within that
 * history's items, counting every item, so ids do not move when other fields change). Rows come out
 * oldest first; histories with the same timestamp keep their order in the record.
 */
export const jiraChangelogsTransformer = defineTransformer('jira_changelogs', (raw) => {
  const log = parseRaw(changelogSchema, raw);
  const histories = log.histories ?? log.changeHistories;
  if (histories === undefined)
    throw new TransformError('histories', 'required: histories or changeHistories');
  const ordered = histories
    .map((history, position) => ({ history, position }))
    .sort((a, b) => a.history.created.getTime() - b.history.created.getTime() || a.position - b.position);
  const rows: NormalizedRow[] = [];
  for (const { history } of ordered) {
    const author = jiraUserColumns(history.author);
    history.items.forEach((item, index) => {
      if (!isStatusItem(item)) return;
      rows.push(
        row('jira_issue_transitions', `${history.id}:${index}`, {
          issue_external_id: log.issueId,
          issue_key: log.issueKey ?? null,
          from_status: item.fromString ?? null,
          to_status: item.toString ?? null,
          author_account_id: author.accountId,
          author_name: author.name,
          transitioned_at: history.created,
        }),
      );
    });
  }
  return rows;
});
