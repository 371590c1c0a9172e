import { z } from 'zod';
import { actorLogin, graphqlActor, graphqlDatabaseId } from './graphql-shared.ts';
import { defineTransformer, optionalTimestamp, parseRaw, requireRepository, row, timestamp } from './shared.ts';

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
    .looseObject({ nodes: z.array(z.looseObject({ requestedReviewer: z.looseObject({ login: z.string().nullish() }).nullish() }).nullable()) })
    .nullish(),
  labels: z.looseObject({ nodes: z.array(z.looseObject({ name: z.string() }).nullable()) }).nullish(),
});

export const githubPullRequestsGraphqlTransformer = defineTransformer('github_pull_requests', (raw, context) => {
  const pr = parseRaw(pullSchema, raw);
  const repository = requireRepository('baseRepository.nameWithOwner', pr.baseRepository?.nameWithOwner ?? null, context);
  return [
    row('github_pull_requests', pr.fullDatabaseId, {
      repository,
      number: pr.number,
      title: pr.title,
      // REST says open/closed and `merged` apart; GraphQL folds a merge into the state.
      state: pr.state === 'OPEN' ? 'open' : 'closed',
      draft: pr.isDraft ?? false,
      merged: pr.merged ?? pr.state === 'MERGED',
      merged_at: pr.mergedAt,
      closed_at: pr.closedAt,
      author_login: actorLogin(pr.author),
      base_ref: pr.baseRefName ?? null,
      head_ref: pr.headRefName ?? null,
      additions: pr.additions ?? null,
      deletions: pr.deletions ?? null,
      changed_files: pr.changedFiles ?? null,
      merge_commit_sha: pr.mergeCommit?.oid ?? null,
      merged_by_login: actorLogin(pr.mergedBy),
      // Teams have no login; REST lists them apart (`requested_teams`) too.
      requested_reviewers: (pr.reviewRequests?.nodes ?? []).flatMap((n) => n?.requestedReviewer?.login ?? []),
      labels: (pr.labels?.nodes ?? []).flatMap((l) => (l ? [l.name] : [])),
      created_at: pr.createdAt,
      updated_at: pr.updatedAt,
    }),
  ];
});
