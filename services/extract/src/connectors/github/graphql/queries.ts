// Every query the GraphQL collector sends, as named operations (the name is stored with each raw
// record). queries.test.ts validates each against GitHub's published schema.

const RATE_LIMIT = 'rateLimit { cost remaining resetAt limit }';
const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';
const ACTOR = 'author { login }';

export const COMMIT_FIELDS = `oid message authoredDate committedDate
  author { name email date user { login } }
  committer { name email date user { login } }`;

export const REVIEW_FIELDS = `id fullDatabaseId state submittedAt ${ACTOR} commit { oid }`;

export const REVIEW_COMMENT_FIELDS = `id fullDatabaseId body path createdAt updatedAt ${ACTOR} pullRequestReview { fullDatabaseId }`;

export const LABEL_FIELDS = 'name';

// REST's `requested_reviewers` lists users only (teams are `requested_teams`); bots and
// mannequins are accounts too.
export const REVIEW_REQUEST_FIELDS =
  'requestedReviewer { __typename ... on User { login } ... on Bot { login } ... on Mannequin { login } }';

/** The pull request's nested connections and how many of each one query asks for (sized to typical PRs). */
export const NESTED = {
  labels: { first: 20, fields: LABEL_FIELDS },
  reviewRequests: { first: 10, fields: REVIEW_REQUEST_FIELDS },
  reviews: { first: 20, fields: REVIEW_FIELDS },
  commits: { first: 30, fields: `commit { ${COMMIT_FIELDS} }` },
} as const;
export type NestedName = keyof typeof NESTED;

/** How many of each nested list one page query asks for. */
export type NestedSizes = Readonly<Record<NestedName, number>>;
export const DEFAULT_NESTED_SIZES: NestedSizes = {
  labels: NESTED.labels.first,
  reviewRequests: NESTED.reviewRequests.first,
  reviews: NESTED.reviews.first,
  commits: NESTED.commits.first,
};

function pullFields(sizes: NestedSizes, inlineComments: number | null): string {
  const fields = (n: NestedName): string =>
    n === 'reviews' && inlineComments !== null
      ? `${REVIEW_FIELDS} comments(first: ${inlineComments}) { totalCount ${PAGE_INFO} nodes { ${REVIEW_COMMENT_FIELDS} } }`
      : NESTED[n].fields;
  return `id fullDatabaseId number title state isDraft merged mergedAt closedAt createdAt updatedAt
  ${ACTOR} baseRefName headRefName baseRepository { nameWithOwner }
  additions deletions changedFiles mergeCommit { oid } mergedBy { login }
  ${(Object.keys(NESTED) as NestedName[]).map((n) => `${n}(first: ${sizes[n]}) { totalCount ${PAGE_INFO} nodes { ${fields(n)} } }`).join('\n  ')}`;
}

/** The most requests one query may need and still cost 1 point: GitHub rounds requests ÷ 100 to the nearest point. */
export const ONE_POINT_REQUESTS = 149;

/**
 * Pull requests per page of a first or full sync: the most whose page query (1 for
 * `pullRequests`, 4 nested connections per PR, 1 for the ride-along lookup list) still costs
 * 1 point: 1 + 36 × 4 + 1 = 146. A point buys 149 requests at this size but only 112 at 100 PRs
 * (401 requests = 4 points), so smaller pages spend a quarter fewer points for the same data
 * (about 0.028 points per PR for the page queries instead of 0.04), at the price of more queries.
 */
export const FULL_PAGE_PULLS = Math.floor((ONE_POINT_REQUESTS - 2) / Object.keys(NESTED).length);

/**
 * The small first page of an incremental run, with review comments inline: 12 PRs × (4
 * connections + 8 reviews' comments) + 1 = 145 requests, which GitHub rounds to 1 point, so a
 * run that finds few or no changes costs 1 point per repository.
 */
export const PROBE = { pulls: 12, reviews: 8, comments: 20 } as const;

const reviewLookup = (first: number): string =>
  `... on PullRequestReview { id fullDatabaseId comments(first: ${first}) { totalCount ${PAGE_INFO} nodes { ${REVIEW_COMMENT_FIELDS} } } }`;

/**
 * Pull requests of one repository, most recently updated first: per PR its labels, requested
 * reviewers, reviews and commits. Cost per page of `FULL_PAGE_PULLS` = (1 + 36 × 4 + 1) ÷ 100 = 1.
 * Beside them (`pending`) the comments of reviews seen on earlier pages: GitHub rounds the
 * requests ÷ 100 to the nearest point, so up to 48 such lookups ride along for free
 * (`freeLookups`).
 */
export function pullRequestsQuery(
  sizes: NestedSizes = DEFAULT_NESTED_SIZES,
  inlineComments: number | null = null,
): string {
  const name = inlineComments === null ? 'TributaryPullRequests' : 'TributaryPullRequestsProbe';
  return `query ${name}($owner: String!, $name: String!, $first: Int!, $after: String, $pending: [ID!]!) {
  ${RATE_LIMIT}
  repository(owner: $owner, name: $name) {
    pullRequests(first: $first, after: $after, orderBy: { field: UPDATED_AT, direction: DESC }) {
      ${PAGE_INFO}
      nodes { ${pullFields(sizes, inlineComments)} }
    }
  }
  pending: nodes(ids: $pending) { ${reviewLookup(REVIEW_COMMENTS_FIRST)} }
}`;
}

/**
 * How many review lookups fit in a page query of `pulls` PRs (and `inlineComments` reviews'
 * comments per PR) without raising its rounded cost; at most 100 ids per `nodes` list.
 */
export function freeLookups(pulls: number, inlineReviews = 0): number {
  // 1 for pullRequests, 4 nested connections per PR, the inline comments, and the pending list itself.
  const base = 1 + pulls * (Object.keys(NESTED).length + inlineReviews) + 1;
  const points = Math.max(1, Math.round(base / 100));
  return Math.max(0, Math.min(100, points * 100 + (ONE_POINT_REQUESTS - 100) - base));
}

/** The rest of one pull request's nested list, past what the page query brought. */
export function pullConnectionQuery(name: NestedName): string {
  return `query TributaryPullRequest_${name}($id: ID!, $after: String) {
  ${RATE_LIMIT}
  node(id: $id) { ... on PullRequest { ${name}(first: 100, after: $after) { totalCount ${PAGE_INFO} nodes { ${NESTED[name].fields} } } } }
}`;
}

/** Review comments hang off reviews; up to this many reviews are looked up per alias. */
export const REVIEW_IDS_PER_ALIAS = 100;
export const REVIEW_COMMENTS_FIRST = 50;

/**
 * Review comments of up to 149 reviews by node id, in two `nodes(ids:)` aliases (100 + 49): each
 * review's `comments` is one request, and GitHub rounds requests ÷ 100 to the nearest point, so
 * 149 reviews still cost 1.
 */
export function reviewCommentsQuery(first = REVIEW_COMMENTS_FIRST): string {
  const lookup = reviewLookup(first);
  return `query TributaryReviewComments($ids: [ID!]!, $more: [ID!]!) {
  ${RATE_LIMIT}
  lookup: nodes(ids: $ids) { ${lookup} }
  overflow: nodes(ids: $more) { ${lookup} }
}`;
}
export const REVIEW_COMMENTS_BATCH = ONE_POINT_REQUESTS;

/** The rest of one review's comments. */
export const REVIEW_COMMENTS_PAGE_QUERY = `query TributaryReviewCommentsPage($id: ID!, $after: String) {
  ${RATE_LIMIT}
  node(id: $id) { ... on PullRequestReview { comments(first: 100, after: $after) { totalCount ${PAGE_INFO} nodes { ${REVIEW_COMMENT_FIELDS} } } } }
}`;

/** The connection test: the token can use GraphQL at all (a GHES may have it switched off). */
export const CONNECTION_TEST_QUERY = `query TributaryConnectionTest {
  ${RATE_LIMIT}
  viewer { login }
}`;

/** Every query string the collector can send. */
export function allQueries(): Record<string, string> {
  const out: Record<string, string> = {
    TributaryPullRequests: pullRequestsQuery(),
    TributaryPullRequestsProbe: pullRequestsQuery(
      { ...DEFAULT_NESTED_SIZES, reviews: PROBE.reviews },
      PROBE.comments,
    ),
    TributaryReviewComments: reviewCommentsQuery(),
    TributaryReviewCommentsPage: REVIEW_COMMENTS_PAGE_QUERY,
    TributaryConnectionTest: CONNECTION_TEST_QUERY,
  };
  for (const name of Object.keys(NESTED) as NestedName[])
    out[`TributaryPullRequest_${name}`] = pullConnectionQuery(name);
  return out;
}

/** The operation name of a query string (stored in each record's metadata). */
export function operationName(query: string): string {
  return /query\s+(\w+)/.exec(query)?.[1] ?? 'anonymous';
}
