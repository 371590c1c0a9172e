import { describe, expect, it } from 'vitest';
import { jiraStatusesTransformer } from './jira-statuses.ts';
import { context, jiraStatus, transformError } from './fixtures.ts';

const transform = (raw: unknown) => jiraStatusesTransformer.transform(raw, context());

describe('jira_statuses', () => {
  it('maps a status with its category', () => {
    expect(transform(jiraStatus())).toEqual([
      {
        table: 'jira_statuses',
        externalId: '3',
        columns: { name: 'In Progress', category_key: 'indeterminate', category_name: 'In Progress' },
      },
    ]);
  });

  it('tolerates a status without a category', () => {
    const raw = jiraStatus();
    delete raw.statusCategory;
    expect(transform(raw)[0]?.columns).toEqual({
      name: 'In Progress',
      category_key: null,
      category_name: null,
    });
  });

  it('names the wrong field', () => {
    expect(transformError(() => transform({ ...jiraStatus(), name: null })).path).toBe('name');
    expect(transformError(() => transform({ ...jiraStatus(), statusCategory: { key: 4 } })).path).toBe(
      'statusCategory.key',
    );
  });
});
