import { hashInts } from '../../data/prng.ts';
import { githubTime } from '../../data/time.ts';
import type {
  CommitRec,
  GhUserRec,
  GithubStore,
  PullRec,
  RepoRec,
  ReviewCommentRec,
  ReviewRec,
} from '../model.ts';
import { PR_STATE_OPEN, PR_STATE_MERGED, PR_STATE_CLOSED } from '../model.ts';

/** An error GitHub reports with a top-level `type` (`NOT_FOUND`, …). */
export class TypedError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

/** What every resolver may reach: the store, and the faults armed for this request. */
export interface GqlContext {
  store: GithubStore;
  /** Returns true once per armed partial failure: the field then errors, as a GitHub backend hiccup does. */
  takePartialFailure: () => boolean;
  rateLimit: Record<string, unknown>;
}

type Args = Record<string, unknown>;
type Obj = Record<string, unknown>;

// graphql-js's default resolver calls a function-valued property with (args, context, info),
// so plain objects with methods are enough to answer over GitHub's schema.

function encodeId(prefix: string, id: number): string {
  return `${prefix}_kwDO${Buffer.from(String(id)).toString('base64url')}`;
}

function decodeId(id: string): { prefix: string; id: number } | null {
  const m = /^([A-Z]+)_kwDO([A-Za-z0-9_-]+)$/.exec(id);
  if (!m?.[1] || !m[2]) return null;
  const n = Number(Buffer.from(m[2], 'base64url').toString('utf8'));
  return Number.isSafeInteger(n) ? { prefix: m[1], id: n } : null;
}

const cursorOf = (offset: number): string => Buffer.from(`cursor:v2:${offset}`).toString('base64');
function offsetOf(cursor: unknown): number {
  if (typeof cursor !== 'string') return 0;
  const m = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return m?.[1] ? Number(m[1]) + 1 : 0;
}

/** A connection over an in-memory list: `first`/`after` (and `last` from the end), nodes, edges, pageInfo, totalCount. */
function connection<T>(items: readonly T[], args: Args, toNode: (item: T) => Obj): Obj {
  let start = offsetOf(args.after);
  let end = items.length;
  if (typeof args.first === 'number') end = Math.min(items.length, start + args.first);
  else if (typeof args.last === 'number') start = Math.max(start, end - args.last);
  const slice = items
    .slice(start, end)
    .map((item, k) => ({ cursor: cursorOf(start + k), node: toNode(item) }));
  return {
    totalCount: items.length,
    nodes: slice.map((e) => e.node),
    edges: slice,
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice[0]?.cursor ?? null,
      endCursor: slice.at(-1)?.cursor ?? null,
    },
  };
}

function userObj(u: GhUserRec | undefined): Obj | null {
  if (!u) return null;
  const url = `https://github.com/${u.login}`;
  return {
    __typename: u.type === 'User' ? 'User' : 'Organization',
    id: encodeId(u.type === 'User' ? 'U' : 'O', u.id),
    databaseId: u.id,
    login: u.login,
    name: u.name,
    url,
    resourcePath: `/${u.login}`,
    avatarUrl: () => `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
  };
}

const userAt = (store: GithubStore, u: number | null): Obj | null =>
  u === null ? null : userObj(store.users[u]);

/**
 * A commit as the model may describe it: newer models record the committer (and its date) apart
 * from the author, after a rebase or squash; older ones have only the author.
 */
type CommitFacts = CommitRec & { committed?: number; committer?: number | null };

/** The git author, and the committer: the same person and date unless the model says otherwise (as REST serializes it). */
function gitActors(
  store: GithubStore,
  c: CommitFacts,
): { author: Obj; committer: Obj; committedDate: string } {
  const u = c.user === null ? undefined : store.users[c.user];
  const author = {
    name: u?.name ?? 'Unlinked Author',
    email: u ? `${u.login}@users.noreply.github.com` : 'someone@example.org',
    date: githubTime(c.date),
    user: userObj(u),
  };
  const committerIndex = c.committer === undefined ? c.user : c.committer;
  const cu = committerIndex === null ? undefined : store.users[committerIndex];
  const committedDate = githubTime(c.committed ?? c.date);
  return {
    author,
    committer: {
      name: cu?.name ?? author.name,
      email: cu ? `${cu.login}@users.noreply.github.com` : author.email,
      date: committedDate,
      user: userObj(cu),
    },
    committedDate,
  };
}

function commitObj(store: GithubStore, repo: RepoRec | undefined, c: CommitFacts): Obj {
  const actors = gitActors(store, c);
  return {
    __typename: 'Commit',
    id: encodeId('C', hashInts(...[...c.sha.slice(0, 12)].map((ch) => ch.charCodeAt(0)))),
    oid: c.sha,
    abbreviatedOid: c.sha.slice(0, 7),
    message: c.message,
    messageHeadline: c.message.split('\n')[0] ?? '',
    authoredDate: githubTime(c.date),
    committedDate: actors.committedDate,
    author: actors.author,
    committer: actors.committer,
    url: `https://github.com/${repo?.fullName ?? ''}/commit/${c.sha}`,
    parents: (args: Args) => connection(c.parents, args, (sha) => ({ __typename: 'Commit', oid: sha })),
  };
}

function threadsOf(pr: PullRec): ReviewCommentRec[][] {
  const threads = new Map<number, ReviewCommentRec[]>();
  for (const c of pr.comments) {
    const root = c.inReplyTo ?? c.id;
    const list = threads.get(root) ?? [];
    list.push(c);
    threads.set(root, list);
  }
  return [...threads.values()];
}

function reviewCommentObj(store: GithubStore, pr: PullRec, c: ReviewCommentRec): Obj {
  const repo = store.repos[pr.repo];
  const review = pr.reviews.find((r) => r.id === c.reviewId);
  return {
    __typename: 'PullRequestReviewComment',
    id: encodeId('PRRC', c.id),
    databaseId: c.id,
    fullDatabaseId: String(c.id),
    body: c.body,
    path: c.path,
    position: c.position,
    line: c.line,
    originalLine: c.line,
    diffHunk: `@@ -${c.line},6 +${c.line},7 @@`,
    createdAt: githubTime(c.created),
    updatedAt: githubTime(c.created),
    url: `https://github.com/${repo?.fullName ?? ''}/pull/${pr.number}#discussion_r${c.id}`,
    author: userAt(store, c.user),
    commit: { __typename: 'Commit', oid: c.commitId },
    pullRequestReview: review ? () => reviewObj(store, pr, review) : null,
    replyTo:
      c.inReplyTo === null
        ? null
        : () => {
            const parent = pr.comments.find((p) => p.id === c.inReplyTo);
            return parent ? reviewCommentObj(store, pr, parent) : null;
          },
    pullRequest: () => pullObj(store, pr.index),
  };
}

function reviewObj(store: GithubStore, pr: PullRec, rv: ReviewRec): Obj {
  const repo = store.repos[pr.repo];
  return {
    __typename: 'PullRequestReview',
    id: encodeId('PRR', rv.id),
    databaseId: rv.id,
    fullDatabaseId: String(rv.id),
    state: rv.state,
    body: rv.body,
    submittedAt: githubTime(rv.submitted),
    createdAt: githubTime(rv.submitted),
    url: `https://github.com/${repo?.fullName ?? ''}/pull/${pr.number}#pullrequestreview-${rv.id}`,
    author: userAt(store, rv.user),
    authorAssociation: 'MEMBER',
    commit: { __typename: 'Commit', oid: rv.commitId },
    comments: (args: Args) =>
      connection(
        pr.comments.filter((c) => c.reviewId === rv.id),
        args,
        (c) => reviewCommentObj(store, pr, c),
      ),
    pullRequest: () => pullObj(store, pr.index),
  };
}

function labelObj(name: string): Obj {
  const id = 6_000_000_000 + ([...name].reduce((a, c) => a * 31 + c.charCodeAt(0), 7) % 1_000_000);
  return {
    __typename: 'Label',
    id: encodeId('LA', id),
    name,
    color: 'ededed',
    description: null,
    isDefault: false,
  };
}

export function pullObj(store: GithubStore, j: number): Obj {
  const pr = store.get(j);
  const repo = store.repos[pr.repo];
  const headSha = pr.commits.at(-1)?.sha ?? pr.baseSha;
  const state = pr.merged !== null ? 'MERGED' : pr.state === 'closed' ? 'CLOSED' : 'OPEN';
  return {
    __typename: 'PullRequest',
    id: encodeId('PR', pr.id),
    databaseId: pr.id,
    fullDatabaseId: String(pr.id),
    number: pr.number,
    title: pr.title,
    body: pr.body ?? '',
    state,
    isDraft: pr.draft,
    closed: pr.state === 'closed',
    merged: pr.merged !== null,
    mergedAt: pr.merged === null ? null : githubTime(pr.merged),
    closedAt: pr.closed === null ? null : githubTime(pr.closed),
    createdAt: githubTime(pr.created),
    updatedAt: githubTime(pr.updated),
    url: `https://github.com/${repo?.fullName ?? ''}/pull/${pr.number}`,
    author: userAt(store, pr.user),
    authorAssociation: pr.authorAssociation,
    baseRefName: 'main',
    headRefName: pr.headRef,
    baseRefOid: pr.baseSha,
    headRefOid: headSha,
    baseRepository: repo ? () => repoObj(store, repo) : null,
    headRepository: repo ? () => repoObj(store, repo) : null,
    repository: repo ? () => repoObj(store, repo) : null,
    additions: pr.additions,
    deletions: pr.deletions,
    changedFiles: pr.changedFiles,
    mergeCommit: pr.mergeCommitSha === null ? null : { __typename: 'Commit', oid: pr.mergeCommitSha },
    mergedBy: userAt(store, pr.mergedBy),
    // The same pending requests REST lists in `requested_reviewers` (users only: no team requests).
    reviewRequests: (args: Args) =>
      connection(pr.requestedReviewers, args, (u) => ({
        __typename: 'ReviewRequest',
        id: encodeId('RR', pr.id * 100 + u),
        asCodeOwner: false,
        requestedReviewer: userAt(store, u),
      })),
    labels: (args: Args) => connection(pr.labels, args, labelObj),
    reviews: (args: Args) => connection(pr.reviews, args, (rv) => reviewObj(store, pr, rv)),
    reviewThreads: (args: Args) =>
      connection(threadsOf(pr), args, (thread) => ({
        __typename: 'PullRequestReviewThread',
        id: encodeId('PRRT', thread[0]?.id ?? 0),
        isResolved: false,
        isOutdated: false,
        path: thread[0]?.path ?? '',
        comments: (a: Args) => connection(thread, a, (c) => reviewCommentObj(store, pr, c)),
      })),
    commits: (args: Args, ctx: GqlContext) => {
      if (ctx.takePartialFailure())
        throw new Error(`Something went wrong while resolving commits of pull request ${pr.number}.`);
      return connection(pr.commits, args, (c) => ({
        __typename: 'PullRequestCommit',
        id: encodeId('PURC', pr.id),
        commit: commitObj(store, repo, c),
      }));
    },
  };
}

type OrderField = 'CREATED_AT' | 'UPDATED_AT' | 'COMMENTS';

export function repoObj(store: GithubStore, repo: RepoRec): Obj {
  return {
    __typename: 'Repository',
    id: encodeId('R', repo.id),
    databaseId: repo.id,
    name: repo.name,
    nameWithOwner: repo.fullName,
    description: repo.description,
    url: `https://github.com/${repo.fullName}`,
    createdAt: githubTime(repo.created),
    owner: userObj(store.owner),
    isPrivate: true,
    pullRequest: (args: Args) => {
      const j = store.pullIndex(repo, typeof args.number === 'number' ? args.number : NaN);
      return j === undefined ? null : pullObj(store, j);
    },
    pullRequests: (args: Args) => {
      const order = (args.orderBy ?? {}) as { field?: OrderField; direction?: 'ASC' | 'DESC' };
      const states = Array.isArray(args.states) ? new Set(args.states) : null;
      const code = { OPEN: PR_STATE_OPEN, CLOSED: PR_STATE_CLOSED, MERGED: PR_STATE_MERGED } as const;
      const wanted: Set<number> | null = states
        ? new Set([...states].map((s) => code[s as keyof typeof code]))
        : null;
      const key = (j: number): number =>
        order.field === 'UPDATED_AT'
          ? (store.updated[j] ?? 0)
          : order.field === 'COMMENTS'
            ? (store.commentCount[j] ?? 0)
            : (store.created[j] ?? 0);
      const list = repo.prs.filter((j) => wanted === null || wanted.has(store.state[j] ?? PR_STATE_OPEN));
      // GitHub's default order is oldest first; ties broken by number so paging is stable.
      const desc = order.direction === 'DESC';
      list.sort((a, b) => {
        const d = key(a) - key(b) || a - b;
        return desc ? -d : d;
      });
      return connection(list, args, (j) => pullObj(store, j));
    },
  };
}

/** `node(id:)` / `nodes(ids:)`: repositories, pull requests, reviews and review comments by their node id. */
export function nodeById(store: GithubStore, id: unknown): Obj | null {
  if (typeof id !== 'string') return null;
  const parsed = decodeId(id);
  if (!parsed) return null;
  const prBase = 1_800_000_000 + (hashInts(store.seed, 26) % 100_000_000);
  switch (parsed.prefix) {
    case 'R': {
      const repo = store.repos.find((r) => r.id === parsed.id);
      return repo ? repoObj(store, repo) : null;
    }
    case 'PR': {
      const j = parsed.id - prBase;
      return j >= 0 && j < store.prCount ? pullObj(store, j) : null;
    }
    case 'PRR': {
      const j = Math.floor((parsed.id - 2_000_000_000) / 1000);
      if (j < 0 || j >= store.prCount) return null;
      const pr = store.get(j);
      const rv = pr.reviews.find((r) => r.id === parsed.id);
      return rv ? reviewObj(store, pr, rv) : null;
    }
    default:
      return null;
  }
}

function notFound(id: unknown): TypedError {
  return new TypedError(
    'NOT_FOUND',
    `Could not resolve to a node with the global id of '${typeof id === 'string' ? id : ''}'`,
  );
}

/** The root `Query` object. */
export function rootValue(store: GithubStore, rateLimit: Obj): Obj {
  return {
    rateLimit: () => rateLimit,
    viewer: () => userObj(store.users[0]),
    repository: (args: Args) => {
      const owner = typeof args.owner === 'string' ? args.owner : '';
      const name = typeof args.name === 'string' ? args.name : '';
      const repo = store.findRepo(owner, name);
      if (!repo)
        throw new TypedError(
          'NOT_FOUND',
          `Could not resolve to a Repository with the name '${owner}/${name}'.`,
        );
      return repoObj(store, repo);
    },
    node: (args: Args) => nodeById(store, args.id) ?? notFound(args.id),
    // An Error in a list position is reported at that index, as GitHub reports each missing id.
    nodes: (args: Args) =>
      Array.isArray(args.ids) ? args.ids.map((id) => nodeById(store, id) ?? notFound(id)) : [],
  };
}
