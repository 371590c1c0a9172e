import { TransformError } from './types.ts';
import type { NormalizedTable, RawRecordContext } from './types.ts';
import type { EntityType } from '@tributary/contracts';

/**
 * Raw records shaped like Jira Cloud REST v3 and GitHub REST responses (modeled on the examples in
 * the public API docs). Each is a function so a test can change its copy freely.
 */

const JIRA = 'https://your-domain.atlassian.net';
const GH = 'https://api.github.com';

// ---------------------------------------------------------------------------
// Jira

export function jiraUser(accountId: string, displayName: string): Record<string, unknown> {
  return {
    self: `${JIRA}/rest/api/3/user?accountId=${accountId}`,
    accountId,
    emailAddress: `${displayName.toLowerCase().replace(/\s+/g, '.')}@example.com`,
    avatarUrls: {
      '48x48': `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/${accountId}/48`,
      '24x24': `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/${accountId}/24`,
      '16x16': `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/${accountId}/16`,
      '32x32': `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/${accountId}/32`,
    },
    displayName,
    active: true,
    timeZone: 'Australia/Sydney',
    accountType: 'atlassian',
  };
}

/** A status's `statusCategory`: Jira's fixed categories (2 new, 4 indeterminate, 3 done). */
function jiraStatusCategory(
  id: number,
  key: 'new' | 'indeterminate' | 'done',
  colorName: string,
  name: string,
): Record<string, unknown> {
  return { self: `${JIRA}/rest/api/3/statuscategory/${id}`, id, key, colorName, name };
}

export const MIA = { accountId: '5b10a2844c20165700ede21g', displayName: 'Mia Krystof' };
export const EMMA = { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Emma Richards' };

/** `GET /rest/api/3/project/search` → `values[0]`. */
export function jiraProject(): Record<string, unknown> {
  return {
    expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
    self: `${JIRA}/rest/api/3/project/10000`,
    id: '10000',
    key: 'EX',
    name: 'Example',
    avatarUrls: { '48x48': `${JIRA}/secure/projectavatar?size=large&pid=10000` },
    projectCategory: {
      self: `${JIRA}/rest/api/3/projectCategory/10000`,
      id: '10000',
      name: 'FIRST',
      description: 'First Project Category',
    },
    simplified: false,
    style: 'classic',
    projectTypeKey: 'software',
    lead: jiraUser(MIA.accountId, MIA.displayName),
    insight: { totalIssueCount: 100, lastIssueUpdateTime: '2024-03-01T10:15:30.123+0000' },
  };
}

/** `GET /rest/api/3/status` → one element. */
export function jiraStatus(): Record<string, unknown> {
  return {
    self: `${JIRA}/rest/api/3/status/10000`,
    description: 'The issue is currently being worked on.',
    iconUrl: `${JIRA}/images/icons/progress.gif`,
    name: 'In Progress',
    untranslatedName: 'In Progress',
    id: '3',
    statusCategory: jiraStatusCategory(4, 'indeterminate', 'yellow', 'In Progress'),
    scope: { type: 'PROJECT', project: { id: '10000' } },
  };
}

/** `GET /rest/api/3/issuetype` → one element. */
export function jiraIssueType(): Record<string, unknown> {
  return {
    self: `${JIRA}/rest/api/3/issueType/10001`,
    id: '10001',
    description: 'Stories track functionality or features expressed as user goals.',
    iconUrl: `${JIRA}/rest/api/2/universal_avatar/view/type/issuetype/avatar/10315?size=medium`,
    name: 'Story',
    untranslatedName: 'Story',
    subtask: false,
    avatarId: 10315,
    hierarchyLevel: 0,
  };
}

function adf(text: string): Record<string, unknown> {
  return {
    type: 'doc',
    version: 1,
    content: [
      { type: 'paragraph', content: [{ type: 'text', text }] },
      {
        type: 'bulletList',
        content: [
          {
            type: 'listItem',
            content: [
              {
                type: 'paragraph',
                content: [{ type: 'text', text: 'acceptance', marks: [{ type: 'strong' }] }],
              },
            ],
          },
        ],
      },
    ],
  };
}

/** One status change item of a changelog history. */
export function statusItem(from: [string, string], to: [string, string]): Record<string, unknown> {
  return {
    field: 'status',
    fieldtype: 'jira',
    fieldId: 'status',
    from: from[0],
    fromString: from[1],
    to: to[0],
    toString: to[1],
  };
}

/** `GET/POST /rest/api/3/search/jql` → `issues[0]`, with explicit fields and an inline changelog. */
export function jiraIssue(): Record<string, unknown> {
  return {
    expand: 'operations,versionedRepresentations,editmeta,changelog,renderedFields',
    id: '10002',
    self: `${JIRA}/rest/api/3/issue/10002`,
    key: 'EX-42',
    fields: {
      summary: 'Checkout fails when the cart has a gift card',
      status: {
        self: `${JIRA}/rest/api/3/status/3`,
        description: '',
        iconUrl: `${JIRA}/images/icons/statuses/inprogress.png`,
        name: 'In Progress',
        id: '3',
        statusCategory: jiraStatusCategory(4, 'indeterminate', 'yellow', 'In Progress'),
      },
      issuetype: {
        self: `${JIRA}/rest/api/3/issuetype/10001`,
        id: '10001',
        description: 'Stories track functionality or features expressed as user goals.',
        iconUrl: `${JIRA}/rest/api/2/universal_avatar/view/type/issuetype/avatar/10315?size=medium`,
        name: 'Story',
        subtask: false,
        avatarId: 10315,
        hierarchyLevel: 0,
      },
      priority: {
        self: `${JIRA}/rest/api/3/priority/2`,
        iconUrl: `${JIRA}/images/icons/priorities/high.svg`,
        name: 'High',
        id: '2',
      },
      assignee: jiraUser(MIA.accountId, MIA.displayName),
      reporter: jiraUser(EMMA.accountId, EMMA.displayName),
      creator: jiraUser(EMMA.accountId, EMMA.displayName),
      labels: ['payments', 'customer-reported'],
      created: '2024-02-27T09:00:00.000+0000',
      updated: '2024-03-01T10:15:30.123+0000',
      resolutiondate: null,
      resolution: null,
      project: {
        self: `${JIRA}/rest/api/3/project/10000`,
        id: '10000',
        key: 'EX',
        name: 'Example',
        projectTypeKey: 'software',
        simplified: false,
        avatarUrls: { '48x48': `${JIRA}/secure/projectavatar?size=large&pid=10000` },
      },
      description: adf('Paying with a gift card returns a 500.'),
      customfield_10016: 5,
      customfield_10020: [{ id: 1, name: 'Sprint 1', state: 'active', boardId: 1 }],
    },
    changelog: {
      startAt: 0,
      maxResults: 1,
      total: 1,
      histories: [
        {
          id: '10500',
          author: jiraUser(MIA.accountId, MIA.displayName),
          created: '2024-02-28T11:00:00.000+0000',
          items: [statusItem(['10000', 'To Do'], ['3', 'In Progress'])],
        },
      ],
    },
  };
}

/** A resolved bug: no assignee, no priority, resolution date, team-managed story points. */
export function jiraResolvedIssue(): Record<string, unknown> {
  const issue = jiraIssue();
  const fields = issue.fields as Record<string, unknown>;
  issue.id = '10003';
  issue.key = 'EX-43';
  delete issue.changelog;
  fields.summary = 'Typo on the receipt';
  fields.status = {
    self: `${JIRA}/rest/api/3/status/10001`,
    name: 'Done',
    id: '10001',
    statusCategory: jiraStatusCategory(3, 'done', 'green', 'Done'),
  };
  fields.issuetype = { id: '10004', name: 'Bug', subtask: false, hierarchyLevel: 0 };
  fields.assignee = null;
  delete fields.priority;
  fields.labels = [];
  fields.resolutiondate = '2024-03-02T16:45:00.000+0100';
  fields.resolution = { id: '10000', name: 'Done', description: 'Work has been completed on this issue.' };
  delete fields.customfield_10016;
  fields.customfield_10026 = 2.5;
  return issue;
}

/**
 * A changelog as the extractor stores it: the issue's id and key and its histories, newest first
 * as `expand=changelog` returns them.
 */
export function jiraChangelog(): Record<string, unknown> {
  return {
    issueId: '10002',
    issueKey: 'EX-42',
    histories: [
      {
        id: '10702',
        author: jiraUser(EMMA.accountId, EMMA.displayName),
        created: '2024-03-01T10:15:30.123+0000',
        items: [
          {
            field: 'resolution',
            fieldtype: 'jira',
            fieldId: 'resolution',
            from: null,
            fromString: null,
            to: '10000',
            toString: 'Done',
          },
          statusItem(['10100', 'In Review'], ['10001', 'Done']),
        ],
      },
      {
        id: '10650',
        author: jiraUser(MIA.accountId, MIA.displayName),
        created: '2024-02-29T15:00:00.000+0000',
        items: [
          {
            field: 'description',
            fieldtype: 'jira',
            fieldId: 'description',
            from: null,
            fromString: 'old text',
            to: null,
            toString: 'new text',
          },
        ],
      },
      {
        id: '10600',
        author: jiraUser(MIA.accountId, MIA.displayName),
        created: '2024-02-29T09:30:00.000+0000',
        items: [
          statusItem(['3', 'In Progress'], ['10100', 'In Review']),
          {
            field: 'assignee',
            fieldtype: 'jira',
            fieldId: 'assignee',
            from: MIA.accountId,
            fromString: MIA.displayName,
            to: EMMA.accountId,
            toString: EMMA.displayName,
            tmpFromAccountId: MIA.accountId,
            tmpToAccountId: EMMA.accountId,
          },
        ],
      },
      {
        id: '10500',
        author: null,
        created: '2024-02-28T11:00:00.000+0000',
        items: [statusItem(['10000', 'To Do'], ['3', 'In Progress'])],
      },
    ],
  };
}

// ---------------------------------------------------------------------------
// GitHub

export function ghUser(login: string, id: number): Record<string, unknown> {
  return {
    login,
    id,
    node_id: 'MDQ6VXNlcjE=',
    avatar_url: `https://github.com/images/error/${login}_happy.gif`,
    gravatar_id: '',
    url: `${GH}/users/${login}`,
    html_url: `https://github.com/${login}`,
    followers_url: `${GH}/users/${login}/followers`,
    repos_url: `${GH}/users/${login}/repos`,
    type: 'User',
    site_admin: false,
  };
}

/** `GET /repos/{owner}/{repo}`. */
export function ghRepository(): Record<string, unknown> {
  return {
    id: 1296269,
    node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
    name: 'Hello-World',
    full_name: 'octocat/Hello-World',
    owner: { ...ghUser('octocat', 1), type: 'User' },
    private: false,
    html_url: 'https://github.com/octocat/Hello-World',
    description: 'This your first repo!',
    fork: false,
    url: `${GH}/repos/octocat/Hello-World`,
    homepage: 'https://github.com',
    language: null,
    forks_count: 9,
    stargazers_count: 80,
    watchers_count: 80,
    size: 108,
    default_branch: 'master',
    open_issues_count: 0,
    is_template: false,
    topics: ['octocat', 'atom', 'electron', 'api'],
    has_issues: true,
    archived: false,
    disabled: false,
    visibility: 'public',
    pushed_at: '2011-01-26T19:06:43Z',
    created_at: '2011-01-26T19:01:12Z',
    updated_at: '2011-01-26T19:14:43Z',
    permissions: { admin: false, push: false, pull: true },
    license: { key: 'mit', name: 'MIT License', spdx_id: 'MIT', url: `${GH}/licenses/mit` },
    organization: null,
    network_count: 0,
    subscribers_count: 42,
  };
}

/** `GET /repos/{o}/{r}/pulls` → one element (no merged / additions / deletions / changed_files). */
export function ghPullListItem(): Record<string, unknown> {
  const repo = ghRepository();
  return {
    url: `${GH}/repos/octocat/Hello-World/pulls/1347`,
    id: 1,
    node_id: 'MDExOlB1bGxSZXF1ZXN0MQ==',
    html_url: 'https://github.com/octocat/Hello-World/pull/1347',
    diff_url: 'https://github.com/octocat/Hello-World/pull/1347.diff',
    number: 1347,
    state: 'closed',
    locked: true,
    title: 'Amazing new feature',
    user: ghUser('octocat', 1),
    body: 'Please pull these awesome changes in!',
    labels: [
      { id: 208045946, name: 'bug', color: 'f29513', default: true, description: "Something isn't working" },
    ],
    milestone: null,
    active_lock_reason: 'too heated',
    created_at: '2011-01-26T19:01:12Z',
    updated_at: '2011-01-26T19:01:12Z',
    closed_at: '2011-01-26T19:01:12Z',
    merged_at: '2011-01-26T19:01:12Z',
    merge_commit_sha: 'e5bd3914e2e596debea16f433f57875b5b90bcd6',
    assignee: ghUser('octocat', 1),
    assignees: [ghUser('octocat', 1), ghUser('hubot', 2)],
    requested_reviewers: [ghUser('other_user', 3)],
    requested_teams: [],
    head: {
      label: 'octocat:new-topic',
      ref: 'new-topic',
      sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      user: ghUser('octocat', 1),
      repo,
    },
    base: {
      label: 'octocat:master',
      ref: 'master',
      sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      user: ghUser('octocat', 1),
      repo,
    },
    _links: { self: { href: `${GH}/repos/octocat/Hello-World/pulls/1347` } },
    author_association: 'OWNER',
    auto_merge: null,
    draft: false,
  };
}

/** `GET /repos/{o}/{r}/pulls/{n}`: the list shape plus merged, counts and diff stats. */
export function ghPullSingle(): Record<string, unknown> {
  return {
    ...ghPullListItem(),
    merged: true,
    mergeable: null,
    rebaseable: null,
    mergeable_state: 'unknown',
    merged_by: ghUser('octocat', 1),
    comments: 10,
    review_comments: 0,
    maintainer_can_modify: true,
    commits: 3,
    additions: 100,
    deletions: 3,
    changed_files: 5,
  };
}

/** An open draft from the list endpoint, by a deleted user, with no body. */
export function ghPullOpenDraft(): Record<string, unknown> {
  return {
    ...ghPullListItem(),
    id: 2,
    number: 1348,
    state: 'open',
    locked: false,
    title: 'WIP: faster search',
    user: null,
    body: null,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    draft: true,
    updated_at: '2011-01-27T08:00:00Z',
  };
}

/** `GET /repos/{o}/{r}/pulls/{n}/reviews` → one element. */
export function ghReview(): Record<string, unknown> {
  return {
    id: 80,
    node_id: 'MDE3OlB1bGxSZXF1ZXN0UmV2aWV3ODA=',
    user: ghUser('octocat', 1),
    body: 'Here is the body for the review.',
    state: 'APPROVED',
    html_url: 'https://github.com/octocat/Hello-World/pull/12#pullrequestreview-80',
    pull_request_url: `${GH}/repos/octocat/Hello-World/pulls/12`,
    _links: {
      html: { href: 'https://github.com/octocat/Hello-World/pull/12#pullrequestreview-80' },
      pull_request: { href: `${GH}/repos/octocat/Hello-World/pulls/12` },
    },
    submitted_at: '2019-11-17T17:43:43Z',
    commit_id: 'ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091',
    author_association: 'COLLABORATOR',
  };
}

/** `GET /repos/{o}/{r}/pulls/{n}/comments` → one element. */
export function ghReviewComment(): Record<string, unknown> {
  return {
    url: `${GH}/repos/octocat/Hello-World/pulls/comments/1`,
    pull_request_review_id: 42,
    id: 10,
    node_id: 'MDI0OlB1bGxSZXF1ZXN0UmV2aWV3Q29tbWVudDEw',
    diff_hunk: '@@ -16,33 +16,40 @@ public class Connection : IConnection...',
    path: 'file1.txt',
    position: 1,
    original_position: 4,
    commit_id: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
    original_commit_id: '9c48853fa3dc5c1c3d6f1f1cd1f2743e72652840',
    in_reply_to_id: 8,
    user: ghUser('octocat', 1),
    body: 'Great stuff!',
    created_at: '2011-04-14T16:00:49Z',
    updated_at: '2011-04-14T16:00:49Z',
    html_url: 'https://github.com/octocat/Hello-World/pull/1#discussion-diff-1',
    pull_request_url: `${GH}/repos/octocat/Hello-World/pulls/1`,
    author_association: 'NONE',
    _links: { self: { href: `${GH}/repos/octocat/Hello-World/pulls/comments/1` } },
    start_line: 1,
    original_start_line: 1,
    start_side: 'RIGHT',
    line: 2,
    original_line: 2,
    side: 'RIGHT',
  };
}

/** `GET /repos/{o}/{r}/pulls/{n}/commits` → one element. */
export function ghCommit(): Record<string, unknown> {
  return {
    url: `${GH}/repos/octocat/Hello-World/commits/6dcb09b5b57875f334f61aebed695e2e4193db5e`,
    sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
    node_id: 'MDY6Q29tbWl0NmRjYjA5YjViNTc4NzVmMzM0ZjYxYWViZWQ2OTVlMmU0MTkzZGI1ZQ==',
    html_url: 'https://github.com/octocat/Hello-World/commit/6dcb09b5b57875f334f61aebed695e2e4193db5e',
    comments_url: `${GH}/repos/octocat/Hello-World/commits/6dcb09b5b57875f334f61aebed695e2e4193db5e/comments`,
    commit: {
      url: `${GH}/repos/octocat/Hello-World/git/commits/6dcb09b5b57875f334f61aebed695e2e4193db5e`,
      author: { name: 'Monalisa Octocat', email: 'support@github.com', date: '2011-04-14T16:00:49Z' },
      committer: { name: 'GitHub', email: 'noreply@github.com', date: '2011-04-15T09:12:00Z' },
      message: 'Fix all the bugs',
      tree: {
        url: `${GH}/repos/octocat/Hello-World/tree/6dcb09b5b57875f334f61aebed695e2e4193db5e`,
        sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      },
      comment_count: 0,
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    author: ghUser('octocat', 1),
    committer: ghUser('web-flow', 19864447),
    parents: [
      {
        url: `${GH}/repos/octocat/Hello-World/commits/6dcb09b5b57875f334f61aebed695e2e4193db5e`,
        sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
      },
    ],
  };
}

/** `GET /repos/{o}/{r}/deployments` → one element. */
export function ghDeployment(): Record<string, unknown> {
  return {
    url: `${GH}/repos/octocat/example/deployments/1`,
    id: 1,
    node_id: 'MDEwOkRlcGxveW1lbnQx',
    sha: 'a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d',
    ref: 'topic-branch',
    task: 'deploy',
    payload: {},
    original_environment: 'staging',
    environment: 'production',
    description: 'Deploy request from hubot',
    creator: ghUser('octocat', 1),
    created_at: '2012-07-20T01:19:13Z',
    updated_at: '2012-07-20T01:19:13Z',
    statuses_url: `${GH}/repos/octocat/example/deployments/1/statuses`,
    repository_url: `${GH}/repos/octocat/example`,
    transient_environment: false,
    production_environment: true,
  };
}

/** GitHub's documented example for `GET /repos/{o}/{r}/deployments/{id}/statuses` (one element). */
export function ghDeploymentStatus(): Record<string, unknown> {
  return {
    url: `${GH}/repos/octocat/example/deployments/42/statuses/1`,
    id: 1,
    node_id: 'MDE2OkRlcGxveW1lbnRTdGF0dXMx',
    state: 'success',
    creator: ghUser('octocat', 1),
    description: 'Deployment finished successfully.',
    environment: 'production',
    target_url: 'https://example.com/deployment/42/output',
    created_at: '2012-07-20T01:19:13Z',
    updated_at: '2012-07-20T01:19:13Z',
    deployment_url: `${GH}/repos/octocat/example/deployments/42`,
    repository_url: `${GH}/repos/octocat/example`,
    environment_url: 'https://test-branch.lab.acme.com',
    log_url: 'https://example.com/deployment/42/output',
  };
}

/** GitHub's documented example for `GET /repos/{o}/{r}/releases` (one element, assets trimmed to one). */
export function ghRelease(): Record<string, unknown> {
  return {
    url: `${GH}/repos/octocat/Hello-World/releases/1`,
    html_url: 'https://github.com/octocat/Hello-World/releases/v1.0.0',
    assets_url: `${GH}/repos/octocat/Hello-World/releases/1/assets`,
    upload_url: 'https://uploads.github.com/repos/octocat/Hello-World/releases/1/assets{?name,label}',
    tarball_url: `${GH}/repos/octocat/Hello-World/tarball/v1.0.0`,
    zipball_url: `${GH}/repos/octocat/Hello-World/zipball/v1.0.0`,
    id: 1,
    node_id: 'MDc6UmVsZWFzZTE=',
    tag_name: 'v1.0.0',
    target_commitish: 'master',
    name: 'v1.0.0',
    body: 'Description of the release',
    draft: false,
    prerelease: false,
    created_at: '2013-02-27T19:35:32Z',
    published_at: '2013-02-27T19:35:32Z',
    author: ghUser('octocat', 1),
    assets: [
      {
        url: `${GH}/repos/octocat/Hello-World/releases/assets/1`,
        id: 1,
        name: 'example.zip',
        state: 'uploaded',
        size: 1024,
        download_count: 42,
        created_at: '2013-02-27T19:35:32Z',
        updated_at: '2013-02-27T19:35:32Z',
      },
    ],
  };
}

// ---------------------------------------------------------------------------
// Test helpers

export function context(metadata: Record<string, unknown> = {}, externalId = 'ext'): RawRecordContext {
  return { rawId: 1, externalId, metadata };
}

/** Runs `fn`, expects a TransformError, and returns it. */
export function transformError(fn: () => unknown): TransformError {
  try {
    fn();
  } catch (err) {
    // Anything else fails the test with the error that was really thrown.
    if (!(err instanceof TransformError)) throw err;
    return err;
  }
  throw new Error('expected a TransformError, nothing was thrown');
}

export function at(iso: string): Date {
  return new Date(iso);
}

/** The table each entity type's rows must go to (DESIGN §6): what the registry tests expect. */
export const TABLE_OF: Record<EntityType, NormalizedTable> = {
  jira_projects: 'jira_projects',
  jira_statuses: 'jira_statuses',
  jira_issue_types: 'jira_issue_types',
  jira_issues: 'jira_issues',
  jira_changelogs: 'jira_issue_transitions',
  github_repositories: 'github_repositories',
  github_pull_requests: 'github_pull_requests',
  github_reviews: 'github_reviews',
  github_review_comments: 'github_review_comments',
  github_commits: 'github_commits',
  github_deployments: 'github_deployments',
  github_deployment_statuses: 'github_deployment_statuses',
  github_releases: 'github_releases',
};
