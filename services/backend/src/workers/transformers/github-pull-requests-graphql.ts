import { z } from 'zod';
import { githubPullRequestsTransformer } from './github-pull-requests.ts';
import { actorLogin, graphqlActor, graphqlDatabaseId, iso, restUser } from './graphql-shared.ts';
import { defineTransformer, optionalTimestamp, parseRaw, timestamp } from './shared.ts';

const count = z.number().int().nonnegative().nullish();

/** A `PullRequest` node from the collector's `TributaryPullRequests` query (labels and review requests complete). */
const pullSchema = z.looseObject({
  fullDatabaseId: graphqlDatabaseId,
  number: z.number().int().positive(),
  title: z.string(),
  state: z.enum(['OPEN', 'CLOSED', 'MERGED']),
  isDraft: z.boolean().nullish(),
  merged: z.boolean().nullish(),
  mergedAt: optionalTimestamp,
  closedAt: optionalTimestamp,
  createdAt: timestamp,
  updatedAt: timestamp,
  author: graphqlActor,
  baseRefName: z.string().nullish(),
  headRefName: z.string().nullish(),
  baseRepository: z.looseObject({ nameWithOwner: z.string().nullish() }).nullish(),
  additions: count,
  deletions: count,
  changedFiles: count,
  mergeCommit: z.looseObject({ oid: z.string() }).nullish(),
  mergedBy: graphqlActor,
  reviewRequests: z
    .looseObject({
      nodes: z.array(
        z
          .looseObject({ requestedReviewer: z.looseObject({ login: z.string().nullish() }).nullish() })
          .nullable(),
      ),
    })
    .nullish(),
  labels: z.looseObject({ nodes: z.array(z.looseObject({ name: z.string() }).nullable()) }).nullish(),
});

/**
 * The GraphQL node is checked in its own terms (errors name GraphQL fields), then restated in
 * REST's vocabulary and handed to the REST transformer: one mapping to columns, so the rows are
 * the same whichever API fetched the pull request.
 */
export const githubPullRequestsGraphqlTransformer = defineTransformer(
  'github_pull_requests',
  (raw, context) => {
    const pr = parseRaw(pullSchema, raw);
    const rest = {
      id: Number(pr.fullDatabaseId),
      number: pr.number,
      title: pr.title,
      // REST says open/closed and `merged` apart; GraphQL folds a merge into the state.
      state: pr.state === 'OPEN' ? 'open' : 'closed',
      draft: pr.isDraft ?? false,
      merged: pr.merged ?? pr.state === 'MERGED',
      merged_at: iso(pr.mergedAt),
      closed_at: iso(pr.closedAt),
      created_at: iso(pr.createdAt),
      updated_at: iso(pr.updatedAt),
      user: restUser(actorLogin(pr.author)),
      base: {
        ref: pr.baseRefName ?? null,
        repo: pr.baseRepository?.nameWithOwner ? { full_name: pr.baseRepository.nameWithOwner } : null,
      },
      head: { ref: pr.headRefName ?? null },
      additions: pr.additions ?? null,
      deletions: pr.deletions ?? null,
      changed_files: pr.changedFiles ?? null,
      merge_commit_sha: pr.mergeCommit?.oid ?? null,
      merged_by: restUser(actorLogin(pr.mergedBy)),
      // Teams have no login; REST lists them apart (`requested_teams`) too.
      requested_reviewers: (pr.reviewRequests?.nodes ?? []).flatMap((n) =>
        n?.requestedReviewer?.login ? [{ login: n.requestedReviewer.login }] : [],
      ),
      labels: (pr.labels?.nodes ?? []).flatMap((l) => (l ? [{ name: l.name }] : [])),
    };
    return githubPullRequestsTransformer.transform(rest, context);
  },
);
