import { describe, expect, it } from 'vitest';
import type { EntityType } from '@tributary/contracts';
import { transformerFor } from './transformers/index.ts';
import { TransformError } from './transformers/types.ts';
import {
  ghPullListItem,
  ghPullOpenDraft,
  ghPullSingle,
  jiraIssue,
  jiraResolvedIssue,
} from './transformers/fixtures.ts';
import { projectRaw, RAW_PROJECTIONS } from './raw-projections.ts';

// The loader hands transformers only the projected record; a transformer must not be able to
// tell. For each record (good and broken ones), the projected record transforms exactly as the
// whole one: same rows, or the same error.
function outcome(entityType: EntityType, raw: unknown, metadata: Record<string, unknown>): unknown {
  try {
    return transformerFor(entityType).transform(raw, { rawId: 1, externalId: 'x', metadata });
  } catch (error) {
    if (error instanceof TransformError) return { error: error.message };
    throw error;
  }
}

const issueWith = (fields: Record<string, unknown>): Record<string, unknown> => {
  const issue = jiraIssue();
  return { ...issue, fields: { ...(issue.fields as Record<string, unknown>), ...fields } };
};
const graphqlPull = {
  id: 'PR_1',
  fullDatabaseId: '1296269',
  number: 1347,
  title: 'T',
  state: 'MERGED',
  createdAt: '2011-01-26T19:01:12Z',
  updatedAt: '2011-01-26T19:14:43Z',
  baseRepository: { nameWithOwner: 'octocat/Hello-World' },
};

const cases: [string, EntityType, unknown, Record<string, unknown>][] = [
  ['a Jira issue, defaults for story points', 'jira_issues', jiraIssue(), {}],
  [
    'a Jira issue, discovered story points and sprint fields',
    'jira_issues',
    issueWith({ customfield_10099: 8, customfield_10100: [{ name: 'Sprint 9' }] }),
    { story_points_field: 'customfield_10099', sprint_field: 'customfield_10100' },
  ],
  [
    'a Jira issue on a site without story points',
    'jira_issues',
    jiraIssue(),
    { story_points_field: null, sprint_field: 'customfield_10020' },
  ],
  ['a resolved Jira issue', 'jira_issues', jiraResolvedIssue(), {}],
  [
    'a Jira issue with parent and components',
    'jira_issues',
    issueWith({
      parent: { key: 'EX-1', id: '1' },
      components: [{ name: 'api' }],
      fixVersions: [{ name: '1.0' }],
    }),
    {},
  ],
  ['a Jira issue without summary', 'jira_issues', issueWith({ summary: undefined }), {}],
  ['a Jira issue with a null summary', 'jira_issues', issueWith({ summary: null }), {}],
  ['a Jira issue whose fields are a string', 'jira_issues', { ...jiraIssue(), fields: 'oops' }, {}],
  ['a Jira issue with empty fields', 'jira_issues', { ...jiraIssue(), fields: {} }, {}],
  ['a Jira issue with a bad status', 'jira_issues', issueWith({ status: 'Done' }), {}],
  ['a single pull request', 'github_pull_requests', ghPullSingle(), { repository: 'octocat/Hello-World' }],
  ['a listed pull request, scope from its base repository', 'github_pull_requests', ghPullListItem(), {}],
  [
    'a draft by a deleted user',
    'github_pull_requests',
    ghPullOpenDraft(),
    { repository: 'octocat/Hello-World' },
  ],
  ['a pull request whose base is a string', 'github_pull_requests', { ...ghPullSingle(), base: 'main' }, {}],
  [
    'a pull request whose base repository is null',
    'github_pull_requests',
    { ...ghPullSingle(), base: { ref: 'main', repo: null } },
    {},
  ],
  [
    'a pull request without a title',
    'github_pull_requests',
    { ...ghPullSingle(), title: undefined },
    { repository: 'octocat/Hello-World' },
  ],
  [
    'a GraphQL pull request (read whole)',
    'github_pull_requests',
    graphqlPull,
    { api: 'graphql', repository: 'octocat/Hello-World', pull_number: 1347 },
  ],
];

describe('raw projections', () => {
  it.each(cases)('%s transforms as the whole record', (_name, entityType, raw, metadata) => {
    const whole = JSON.parse(JSON.stringify(raw)) as unknown;
    const part = projectRaw(entityType, whole, metadata);
    expect(outcome(entityType, part, metadata)).toEqual(outcome(entityType, whole, metadata));
  });

  it('leaves out what the table never holds', () => {
    const part = projectRaw('jira_issues', jiraIssue(), {}) as Record<string, Record<string, unknown>>;
    expect(Object.keys(part).sort()).toEqual(['fields', 'id', 'key']);
    expect(part.fields).not.toHaveProperty('description');
    expect(part.fields).not.toHaveProperty('creator');
    const pull = projectRaw('github_pull_requests', ghPullSingle(), {}) as Record<
      string,
      Record<string, unknown>
    >;
    expect(pull.head).toEqual({ ref: 'new-topic', repo: { full_name: 'octocat/Hello-World' } });
    expect(Object.keys(RAW_PROJECTIONS).sort()).toEqual(['github_pull_requests', 'jira_issues']);
  });
});
