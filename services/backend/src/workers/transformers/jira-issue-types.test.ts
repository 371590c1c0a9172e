import { describe, expect, it } from 'vitest';
import { jiraIssueTypesTransformer } from './jira-issue-types.ts';
import { context, jiraIssueType, transformError } from './fixtures.ts';

const transform = (raw: unknown) => jiraIssueTypesTransformer.transform(raw, context());

describe('jira_issue_types', () => {
  it('maps an issue type', () => {
    expect(transform(jiraIssueType())).toEqual([
      {
        table: 'jira_issue_types',
        externalId: '10001',
        columns: { name: 'Story', subtask: false, hierarchy_level: 0 },
      },
    ]);
  });

  it('maps a sub-task and tolerates a missing hierarchy level', () => {
    const raw = { ...jiraIssueType(), id: '10003', name: 'Sub-task', subtask: true, hierarchyLevel: -1 };
    expect(transform(raw)[0]?.columns).toEqual({ name: 'Sub-task', subtask: true, hierarchy_level: -1 });
    delete (raw as Record<string, unknown>).hierarchyLevel;
    expect(transform(raw)[0]?.columns.hierarchy_level).toBeNull();
  });

  it('names the wrong field', () => {
    expect(transformError(() => transform({ ...jiraIssueType(), subtask: 'no' })).path).toBe('subtask');
    expect(transformError(() => transform({ ...jiraIssueType(), id: undefined })).path).toBe('id');
  });
});
