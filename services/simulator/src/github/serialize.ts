import { githubTime } from '../data/time.ts';
import type {
  CommitRec,
  DeploymentRec,
  GhUserRec,
  GithubStore,
  PullRec,
  ReleaseRec,
  RepoRec,
  ReviewCommentRec,
  ReviewRec,
} from './model.ts';

export const DOCS = 'https://docs.github.com/rest';

function nodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(String(id)).toString('base64url')}`;
}

export function ghUser(api: string, u: GhUserRec): Record<string, unknown> {
  const web = 'https://github.com';
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type === 'User' ? 'U' : 'O', u.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: '',
    url: `${api}/users/${u.login}`,
    html_url: `${web}/${u.login}`,
    followers_url: `${api}/users/${u.login}/followers`,
    following_url: `${api}/users/${u.login}/following{/other_user}`,
    gists_url: `${api}/users/${u.login}/gists{/gist_id}`,
    starred_url: `${api}/users/${u.login}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/users/${u.login}/subscriptions`,
    organizations_url: `${api}/users/${u.login}/orgs`,
    repos_url: `${api}/users/${u.login}/repos`,
    events_url: `${api}/users/${u.login}/events{/privacy}`,
    received_events_url: `${api}/users/${u.login}/received_events`,
    type: u.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

export function userAt(api: string, store: GithubStore, u: number | null): Record<string, unknown> | null {
  const rec = u === null ? undefined : store.users[u];
  return rec ? ghUser(api, rec) : null;
}

/** The hypermedia URLs every repository object carries (GitHub's documented example). */
function repoUrls(repoUrl: string): Record<string, string> {
  return {
    archive_url: `${repoUrl}/{archive_format}{/ref}`,
    assignees_url: `${repoUrl}/assignees{/user}`,
    blobs_url: `${repoUrl}/git/blobs{/sha}`,
    branches_url: `${repoUrl}/branches{/branch}`,
    collaborators_url: `${repoUrl}/collaborators{/collaborator}`,
    comments_url: `${repoUrl}/comments{/number}`,
    commits_url: `${repoUrl}/commits{/sha}`,
    compare_url: `${repoUrl}/compare/{base}...{head}`,
    contents_url: `${repoUrl}/contents/{+path}`,
    contributors_url: `${repoUrl}/contributors`,
    downloads_url: `${repoUrl}/downloads`,
    events_url: `${repoUrl}/events`,
    forks_url: `${repoUrl}/forks`,
    git_commits_url: `${repoUrl}/git/commits{/sha}`,
    git_refs_url: `${repoUrl}/git/refs{/sha}`,
    git_tags_url: `${repoUrl}/git/tags{/sha}`,
    hooks_url: `${repoUrl}/hooks`,
    issue_comment_url: `${repoUrl}/issues/comments{/number}`,
    issue_events_url: `${repoUrl}/issues/events{/number}`,
    issues_url: `${repoUrl}/issues{/number}`,
    keys_url: `${repoUrl}/keys{/key_id}`,
    labels_url: `${repoUrl}/labels{/name}`,
    languages_url: `${repoUrl}/languages`,
    merges_url: `${repoUrl}/merges`,
    milestones_url: `${repoUrl}/milestones{/number}`,
    notifications_url: `${repoUrl}/notifications{?since,all,participating}`,
    stargazers_url: `${repoUrl}/stargazers`,
    statuses_url: `${repoUrl}/statuses/{sha}`,
    subscribers_url: `${repoUrl}/subscribers`,
    subscription_url: `${repoUrl}/subscription`,
    tags_url: `${repoUrl}/tags`,
    teams_url: `${repoUrl}/teams`,
    trees_url: `${repoUrl}/git/trees{/sha}`,
  };
}

export function repoJson(api: string, store: GithubStore, repo: RepoRec): Record<string, unknown> {
  const repoUrl = `${api}/repos/${repo.fullName}`;
  let pushed = repo.created;
  let openIssues = 0;
  for (const j of repo.prs) {
    pushed = Math.max(pushed, store.updated[j] ?? 0);
    if (store.state[j] === 0) openIssues++;
  }
  return {
    id: repo.id,
    node_id: nodeId('R', repo.id),
    name: repo.name,
    full_name: repo.fullName,
    private: true,
    owner: ghUser(api, store.owner),
    html_url: `https://github.com/${repo.fullName}`,
    description: repo.description,
    fork: false,
    url: repoUrl,
    ...repoUrls(repoUrl),
    pulls_url: `${repoUrl}/pulls{/number}`,
    deployments_url: `${repoUrl}/deployments`,
    releases_url: `${repoUrl}/releases{/id}`,
    created_at: githubTime(repo.created),
    updated_at: githubTime(pushed),
    pushed_at: githubTime(pushed),
    git_url: `git://github.com/${repo.fullName}.git`,
    ssh_url: `git@github.com:${repo.fullName}.git`,
    clone_url: `https://github.com/${repo.fullName}.git`,
    mirror_url: null,
    svn_url: `https://github.com/${repo.fullName}`,
    homepage: null,
    size: 1024 + repo.prs.length * 7,
    stargazers_count: repo.index * 3,
    watchers_count: repo.index * 3,
    language: repo.language,
    has_issues: true,
    has_downloads: true,
    has_projects: true,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    archived: false,
    disabled: false,
    open_issues_count: openIssues,
    license: null,
    allow_forking: false,
    is_template: false,
    topics: [],
    visibility: 'private',
    forks: 0,
    open_issues: openIssues,
    watchers: repo.index * 3,
    default_branch: 'main',
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    network_count: 0,
    subscribers_count: 5,
  };
}

function labelJson(api: string, repo: RepoRec, name: string): Record<string, unknown> {
  const id = 6_000_000_000 + ([...name].reduce((a, c) => a * 31 + c.charCodeAt(0), 7) % 1_000_000);
  return {
    id,
    node_id: nodeId('LA', id),
    url: `${api}/repos/${repo.fullName}/labels/${encodeURIComponent(name)}`,
    name,
    color: 'ededed',
    default: false,
    description: '',
  };
}

/** The list shape; `full` adds what only `GET /pulls/{n}` returns (merged, counts, diff stats). */
export function pullJson(
  api: string,
  store: GithubStore,
  pr: PullRec,
  full: boolean,
  // Repo objects are costly (they scan the repo's PRs); list pages pass one shared copy.
  repoObj?: Record<string, unknown>,
): Record<string, unknown> {
  const repo = store.repos[pr.repo];
  if (!repo) throw new Error(`PR ${pr.index} has no repo`);
  const repoUrl = `${api}/repos/${repo.fullName}`;
  const url = `${repoUrl}/pulls/${pr.number}`;
  const html = `https://github.com/${repo.fullName}/pull/${pr.number}`;
  const headSha = pr.commits.at(-1)?.sha ?? pr.baseSha;
  const user = userAt(api, store, pr.user);
  repoObj ??= repoJson(api, store, repo);
  const out: Record<string, unknown> = {
    url,
    id: pr.id,
    node_id: nodeId('PR', pr.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${repoUrl}/issues/${pr.number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${repoUrl}/pulls/comments{/number}`,
    comments_url: `${repoUrl}/issues/${pr.number}/comments`,
    statuses_url: `${repoUrl}/statuses/${headSha}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user,
    body: pr.body,
    labels: pr.labels.map((l) => labelJson(api, repo, l)),
    milestone: null,
    active_lock_reason: null,
    created_at: githubTime(pr.created),
    updated_at: githubTime(pr.updated),
    closed_at: pr.closed === null ? null : githubTime(pr.closed),
    merged_at: pr.merged === null ? null : githubTime(pr.merged),
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: pr.requestedReviewers.map((u) => userAt(api, store, u)),
    requested_teams: [],
    head: { label: `${store.owner.login}:${pr.headRef}`, ref: pr.headRef, sha: headSha, user, repo: repoObj },
    base: {
      label: `${store.owner.login}:main`,
      ref: 'main',
      sha: pr.baseSha,
      user: ghUser(api, store.owner),
      repo: repoObj,
    },
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: `${repoUrl}/issues/${pr.number}` },
      comments: { href: `${repoUrl}/issues/${pr.number}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${repoUrl}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${repoUrl}/statuses/${headSha}` },
    },
    author_association: pr.authorAssociation,
    auto_merge: null,
    draft: pr.draft,
  };
  if (full) {
    Object.assign(out, {
      merged: pr.merged !== null,
      mergeable: pr.state === 'open' ? true : null,
      rebaseable: pr.state === 'open' ? true : null,
      mergeable_state: pr.state === 'open' ? (pr.draft ? 'draft' : 'clean') : 'unknown',
      merged_by: pr.mergedBy === null ? null : userAt(api, store, pr.mergedBy),
      comments: pr.issueComments,
      review_comments: pr.comments.length,
      maintainer_can_modify: false,
      commits: pr.commits.length,
      additions: pr.additions,
      deletions: pr.deletions,
      changed_files: pr.changedFiles,
    });
  }
  return out;
}

export function reviewJson(
  api: string,
  store: GithubStore,
  pr: PullRec,
  rv: ReviewRec,
): Record<string, unknown> {
  const repo = store.repos[pr.repo];
  const html = `https://github.com/${repo?.fullName ?? ''}/pull/${pr.number}`;
  return {
    id: rv.id,
    node_id: nodeId('PRR', rv.id),
    user: userAt(api, store, rv.user),
    body: rv.body,
    state: rv.state,
    html_url: `${html}#pullrequestreview-${rv.id}`,
    pull_request_url: `${api}/repos/${repo?.fullName ?? ''}/pulls/${pr.number}`,
    author_association: 'MEMBER',
    _links: {
      html: { href: `${html}#pullrequestreview-${rv.id}` },
      pull_request: { href: `${api}/repos/${repo?.fullName ?? ''}/pulls/${pr.number}` },
    },
    submitted_at: githubTime(rv.submitted),
    commit_id: rv.commitId,
  };
}

export function reviewCommentJson(
  api: string,
  store: GithubStore,
  pr: PullRec,
  c: ReviewCommentRec,
): Record<string, unknown> {
  const repo = store.repos[pr.repo];
  const url = `${api}/repos/${repo?.fullName ?? ''}/pulls/comments/${c.id}`;
  const html = `https://github.com/${repo?.fullName ?? ''}/pull/${pr.number}#discussion_r${c.id}`;
  const out: Record<string, unknown> = {
    url,
    pull_request_review_id: c.reviewId,
    id: c.id,
    node_id: nodeId('PRRC', c.id),
    diff_hunk: `@@ -${c.line},6 +${c.line},7 @@`,
    path: c.path,
    position: c.position,
    original_position: c.position,
    commit_id: c.commitId,
    original_commit_id: c.commitId,
    user: userAt(api, store, c.user),
    body: c.body,
    created_at: githubTime(c.created),
    updated_at: githubTime(c.created),
    html_url: html,
    pull_request_url: `${api}/repos/${repo?.fullName ?? ''}/pulls/${pr.number}`,
    author_association: 'MEMBER',
    _links: {
      self: { href: url },
      html: { href: html },
      pull_request: { href: `${api}/repos/${repo?.fullName ?? ''}/pulls/${pr.number}` },
    },
    line: c.line,
    original_line: c.line,
    side: 'RIGHT',
    subject_type: 'line',
  };
  if (c.inReplyTo !== null) out.in_reply_to_id = c.inReplyTo;
  return out;
}

export function commitJson(
  api: string,
  store: GithubStore,
  pr: PullRec,
  c: CommitRec,
): Record<string, unknown> {
  const repo = store.repos[pr.repo];
  const u = c.user === null ? undefined : store.users[c.user];
  const person = {
    name: u?.name ?? 'Unlinked Author',
    email: u ? `${u.login}@users.noreply.github.com` : 'someone@example.org',
    date: githubTime(c.date),
  };
  const cu = c.committer === null ? undefined : store.users[c.committer];
  // After a rebase the committer (and its date) is whoever re-created the commit.
  const committer = {
    name: cu?.name ?? person.name,
    email: cu ? `${cu.login}@users.noreply.github.com` : person.email,
    date: githubTime(c.committed),
  };
  const repoUrl = `${api}/repos/${repo?.fullName ?? ''}`;
  return {
    sha: c.sha,
    node_id: `C_kwDO${Buffer.from(c.sha.slice(0, 12)).toString('base64url')}`,
    commit: {
      author: person,
      committer,
      message: c.message,
      tree: { sha: c.sha.split('').reverse().join(''), url: `${repoUrl}/git/trees/${c.sha}` },
      url: `${repoUrl}/git/commits/${c.sha}`,
      comment_count: 0,
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    url: `${repoUrl}/commits/${c.sha}`,
    html_url: `https://github.com/${repo?.fullName ?? ''}/commit/${c.sha}`,
    comments_url: `${repoUrl}/commits/${c.sha}/comments`,
    author: userAt(api, store, c.user),
    committer: userAt(api, store, c.committer),
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${repoUrl}/commits/${p}`,
      html_url: `https://github.com/${repo?.fullName ?? ''}/commit/${p}`,
    })),
  };
}

export function deploymentJson(
  api: string,
  store: GithubStore,
  repo: RepoRec,
  d: DeploymentRec,
): Record<string, unknown> {
  const url = `${api}/repos/${repo.fullName}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: nodeId('DE', d.id),
    sha: d.sha,
    ref: d.ref,
    task: 'deploy',
    payload: {},
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: userAt(api, store, d.creator),
    created_at: githubTime(d.created),
    updated_at: githubTime(d.created + 60_000),
    statuses_url: `${url}/statuses`,
    repository_url: `${api}/repos/${repo.fullName}`,
    transient_environment: false,
    production_environment: d.environment === 'production',
  };
}

export function releaseJson(
  api: string,
  store: GithubStore,
  repo: RepoRec,
  rel: ReleaseRec,
): Record<string, unknown> {
  const url = `${api}/repos/${repo.fullName}/releases/${rel.id}`;
  return {
    url,
    html_url: `https://github.com/${repo.fullName}/releases/tag/${rel.tag}`,
    assets_url: `${url}/assets`,
    upload_url: `https://uploads.github.com/repos/${repo.fullName}/releases/${rel.id}/assets{?name,label}`,
    tarball_url: `${api}/repos/${repo.fullName}/tarball/${rel.tag}`,
    zipball_url: `${api}/repos/${repo.fullName}/zipball/${rel.tag}`,
    id: rel.id,
    node_id: nodeId('RE', rel.id),
    tag_name: rel.tag,
    target_commitish: 'main',
    name: rel.name,
    body: rel.body,
    draft: rel.draft,
    prerelease: rel.prerelease,
    created_at: githubTime(rel.created),
    published_at: rel.published === null ? null : githubTime(rel.published),
    author: userAt(api, store, rel.author),
    assets: [],
  };
}
