import { describe, expect, it } from 'vitest';
import { jiraProjectsTransformer } from './jira-projects.ts';
import { MIA, context, jiraProject, transformError } from './fixtures.ts';

const transform = (raw: unknown) => jiraProjectsTransformer.transform(raw, context());

describe('jira_projects', () => {
  it('maps a project search value', () => {
    expect(transform(jiraProject())).toEqual([
      {
        table: 'jira_projects',
        externalId: '10000',
        columns: {
          key: 'EX',
          name: 'Example',
          project_type: 'software',
          lead_account_id: MIA.accountId,
          lead_name: MIA.displayName,
        },
      },
    ]);
  });

  it('tolerates a missing lead and project type', () => {
    const raw = jiraProject();
    delete raw.lead;
    delete raw.projectTypeKey;
    const [row] = transform(raw);
    expect(row?.columns).toMatchObject({ project_type: null, lead_account_id: null, lead_name: null });
  });

  it('names the wrong field', () => {
    const raw = jiraProject();
    delete raw.key;
    expect(transformError(() => transform(raw)).path).toBe('key');
    expect(transformError(() => transform({ ...jiraProject(), lead: { accountId: 42 } })).path).toBe(
      'lead.accountId',
    );
    expect(transformError(() => transform(null)).path).toBe('');
  });
});
