import { describe, expect, it } from 'vitest';
import { jiraIssuesTransformer } from './jira-issues.ts';
import { EMMA, MIA, at, context, jiraIssue, jiraResolvedIssue, transformError } from './fixtures.ts';

const transform = (raw: unknown, metadata: Record<string, unknown> = {}) =>
  jiraIssuesTransformer.transform(raw, context(metadata));

function fieldsOf(issue: Record<string, unknown>): Record<string, unknown> {
  return issue.fields as Record<string, unknown>;
}

describe('jira_issues', () => {
  it('maps a search/jql issue field by field', () => {
    expect(transform(jiraIssue())).toEqual([
      {
        table: 'jira_issues',
        externalId: '10002',
        columns: {
          key: 'EX-42',
          project_key: 'EX',
          summary: 'Checkout fails when the cart has a gift card',
          status_name: 'In Progress',
          status_category: 'indeterminate',
          issue_type: 'Story',
          priority: 'High',
          assignee_account_id: MIA.accountId,
          assignee_name: MIA.displayName,
          reporter_account_id: EMMA.accountId,
          reporter_name: EMMA.displayName,
          labels: ['payments', 'customer-reported'],
          story_points: 5,
          parent_key: null,
          components: [],
          fix_versions: [],
          sprints: [],
          created_at: at('2024-02-27T09:00:00.000Z'),
          updated_at: at('2024-03-01T10:15:30.123Z'),
          resolved_at: null,
        },
      },
    ]);
  });

  it('tolerates null assignee, absent priority, and reads the resolution date and its offset', () => {
    const [row] = transform(jiraResolvedIssue());
    expect(row?.columns).toMatchObject({
      key: 'EX-43',
      status_name: 'Done',
      status_category: 'done',
      issue_type: 'Bug',
      priority: null,
      assignee_account_id: null,
      assignee_name: null,
      labels: [],
      resolved_at: at('2024-03-02T15:45:00.000Z'),
    });
  });

  it('tolerates missing optional objects (status, project, reporter, labels)', () => {
    const raw = jiraIssue();
    const fields = fieldsOf(raw);
    delete fields.status;
    delete fields.project;
    delete fields.issuetype;
    delete fields.labels;
    fields.reporter = null;
    const [row] = transform(raw);
    expect(row?.columns).toMatchObject({
      project_key: 'EX', // from the issue key
      status_name: null,
      status_category: null,
      issue_type: null,
      reporter_account_id: null,
      reporter_name: null,
      labels: [],
    });
  });

  it('ignores the inline changelog', () => {
    const raw = jiraIssue();
    raw.changelog = 'not even an object';
    expect(transform(raw)).toHaveLength(1);
  });

  describe('story points', () => {
    it('use the configured field when metadata names one', () => {
      const raw = jiraIssue();
      fieldsOf(raw).customfield_10058 = 8;
      expect(transform(raw, { story_points_field: 'customfield_10058' })[0]?.columns.story_points).toBe(8);
      // the configured field alone: no fallback to the defaults
      expect(transform(raw, { story_points_field: 'customfield_99999' })[0]?.columns.story_points).toBeNull();
    });

    it('fall back to customfield_10016, then customfield_10026', () => {
      expect(transform(jiraIssue())[0]?.columns.story_points).toBe(5);
      expect(transform(jiraResolvedIssue())[0]?.columns.story_points).toBe(2.5);
      const raw = jiraIssue();
      fieldsOf(raw).customfield_10016 = null;
      fieldsOf(raw).customfield_10026 = 3;
      expect(transform(raw)[0]?.columns.story_points).toBe(3);
    });

    it('are null when the extractor found no story-points field on the site (no guessing at default ids)', () => {
      expect(transform(jiraIssue(), { story_points_field: null })[0]?.columns.story_points).toBeNull();
    });

    it('are null when not a number', () => {
      for (const value of ['5', { value: 5 }, null, undefined, Number.NaN]) {
        const raw = jiraIssue();
        fieldsOf(raw).customfield_10016 = value;
        expect(transform(raw)[0]?.columns.story_points, JSON.stringify(value) ?? 'undefined').toBeNull();
      }
    });
  });

  describe('sprints', () => {
    it('are the names in the sprint field the extractor discovered (Cloud objects and legacy strings)', () => {
      const raw = jiraIssue();
      fieldsOf(raw).customfield_10021 = [
        { id: 37, name: 'ACME Sprint 3', state: 'closed', boardId: 1 },
        'com.atlassian.greenhopper.service.sprint.Sprint@1f2e[id=38,rapidViewId=1,state=ACTIVE,name=ACME Sprint 4,startDate=2024-03-01]',
      ];
      expect(transform(raw, { sprint_field: 'customfield_10021' })[0]?.columns.sprints).toEqual([
        'ACME Sprint 3',
        'ACME Sprint 4',
      ]);
      expect(transform(raw)[0]?.columns.sprints).toEqual([]);
    });
  });

  describe('bad records name the field', () => {
    it('fields.updated missing', () => {
      const raw = jiraIssue();
      delete fieldsOf(raw).updated;
      const err = transformError(() => transform(raw));
      expect(err.path).toBe('fields.updated');
      expect(err.message).toMatch(/^fields\.updated: /);
    });

    it('fields.created not a timestamp', () => {
      const raw = jiraIssue();
      fieldsOf(raw).created = '27/02/2024';
      const err = transformError(() => transform(raw));
      expect(err.path).toBe('fields.created');
      expect(err.message).toContain('not a timestamp');
    });

    it('fields.resolutiondate not a timestamp', () => {
      const raw = jiraIssue();
      fieldsOf(raw).resolutiondate = 'soon';
      expect(transformError(() => transform(raw)).path).toBe('fields.resolutiondate');
    });

    it('fields.summary missing, labels not strings, no fields at all', () => {
      const a = jiraIssue();
      delete fieldsOf(a).summary;
      expect(transformError(() => transform(a)).path).toBe('fields.summary');
      const b = jiraIssue();
      fieldsOf(b).labels = ['ok', 7];
      expect(transformError(() => transform(b)).path).toBe('fields.labels.1');
      expect(transformError(() => transform({ id: '1', key: 'EX-1' })).path).toBe('fields');
    });
  });
});
