import { timestampMs, type EntityType } from '@tributary/contracts';
import { isRecord, laterOf, pagesOf, sinceMs, withCheckpoint } from '../../shared.ts';
import { readWalk, walkCursor } from '../walk.ts';
import type { Page, SourceRecord, StreamContext, StreamReader } from '../../types.ts';
import { GraphqlTimeoutError } from './client.ts';
import type { GraphqlAnswer, GraphqlQuery } from './client.ts';
import {
  DEFAULT_NESTED_SIZES,
  FULL_PAGE_PULLS,
  NESTED,
  PROBE,
  REVIEW_COMMENTS_BATCH,
  REVIEW_COMMENTS_FIRST,
  REVIEW_COMMENTS_PAGE_QUERY,
  REVIEW_IDS_PER_ALIAS,
  freeLookups,
  pullConnectionQuery,
  pullRequestsQuery,
  reviewCommentsQuery,
} from './queries.ts';
import type { NestedName, NestedSizes } from './queries.ts';

export interface GraphqlPullRequestsOptions {
  query: GraphqlQuery;
  repositories: readonly string[];
  overlapMs: number;
  /** Pull requests per query on a first or full sync (at most GitHub's 100). Default `FULL_PAGE_PULLS` (36: 1 point a page). */
  pageSize?: number;
  /**
   * The first page of an incremental run: small enough to cost 1 point (1 + 12 × 4 requests),
   * so a run with nothing changed spends 1 point per repository. Default 12.
   */
  probeSize?: number;
  /** Nested list sizes of the page query (tests make them small to exercise the follow-ups). */
  nestedSizes?: Partial<NestedSizes>;
  /** Review comments per review in the lookup query. Default 50. */
  reviewCommentsFirst?: number;
}

type Node = Record<string, unknown>;

interface Connection {
  totalCount: number;
  nodes: Node[];
  hasNextPage: boolean;
  endCursor: string | null;
}

function connectionOf(value: unknown, where: string): Connection {
  if (!isRecord(value)) throw new Error(`github graphql: ${where} is not a connection`);
  const pageInfo = isRecord(value.pageInfo) ? value.pageInfo : {};
  return {
    totalCount: typeof value.totalCount === 'number' ? value.totalCount : 0,
    nodes: Array.isArray(value.nodes) ? value.nodes.filter(isRecord) : [],
    hasNextPage: pageInfo.hasNextPage === true,
    endCursor: typeof pageInfo.endCursor === 'string' ? pageInfo.endCursor : null,
  };
}

function stringField(node: Node, key: string, what: string): string {
  const value = node[key];
  if (typeof value === 'string' && value !== '') return value;
  throw new Error(`${what} without a usable ${key}: ${JSON.stringify(value)}`);
}

function metadata(
  answer: GraphqlAnswer,
  scope: { repository: string; pull_number?: number },
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    url: answer.response.url,
    fetched_at: answer.response.fetchedAt,
    api: 'graphql',
    query: answer.query,
    ...scope,
  };
  const remaining = answer.response.headers['x-ratelimit-remaining'];
  if (remaining !== undefined) out['x-ratelimit-remaining'] = remaining;
  return out;
}

const ENTITY_ORDER: readonly EntityType[] = [
  'github_pull_requests',
  'github_reviews',
  'github_review_comments',
  'github_commits',
];

/** Records of one GraphQL page, per entity type, deduplicated by external id (a PR listed twice while the list shifts). */
class Buffers {
  readonly #by = new Map<EntityType, Map<string, SourceRecord>>();
  add(entityType: EntityType, record: SourceRecord): void {
    let map = this.#by.get(entityType);
    if (!map) this.#by.set(entityType, (map = new Map<string, SourceRecord>()));
    map.delete(record.externalId);
    map.set(record.externalId, record);
  }
  *drain(): Generator<Page> {
    for (const entityType of ENTITY_ORDER) {
      const map = this.#by.get(entityType);
      if (!map || map.size === 0) continue;
      yield* pagesOf(entityType, [...map.values()]);
      map.clear();
    }
  }
}

/**
 * Pull requests per repository over GitHub's GraphQL API (scope `owner/repo`), most recently
 * updated first down to the cursor less the overlap, each with its labels, requested reviewers,
 * reviews, review comments and commits. A nested list longer than the page query asks for is
 * finished by a follow-up query for that pull request only; review comments are looked up per
 * 149 reviews. A query that times out is asked again with half as many pull requests.
 */
export function graphqlPullRequestsStream(options: GraphqlPullRequestsOptions): StreamReader {
  const { query, repositories, overlapMs } = options;
  const pageSize = Math.min(100, options.pageSize ?? FULL_PAGE_PULLS);
  const probeSize = Math.min(options.probeSize ?? PROBE.pulls, pageSize);
  const sizes = { ...DEFAULT_NESTED_SIZES, ...options.nestedSizes };
  const pageQuery = pullRequestsQuery(sizes);
  const probeQuery = pullRequestsQuery(
    { ...sizes, reviews: Math.min(sizes.reviews, PROBE.reviews) },
    PROBE.comments,
  );
  const commentsQuery = reviewCommentsQuery(options.reviewCommentsFirst ?? REVIEW_COMMENTS_FIRST);
  return async function* pullRequests(ctx: StreamContext): AsyncGenerator<Page, void, undefined> {
    for (const repository of repositories) {
      const [owner, name] = repository.split('/');
      // A full run's positions are only this job's own checkpoints (empty when it starts), so it
      // resumes after a takeover; a walk left mid-repository goes on at its next page.
      const start = readWalk(ctx.position(repository)?.cursor);
      const since = sinceMs(start.since, overlapMs);
      let cursor = start.cursor;
      let probing = since !== null && start.walk === null;
      let size = probing ? probeSize : pageSize;
      let after: string | null = start.walk?.after ?? null;
      const seen = new Set<number>();
      const buffers = new Buffers();
      // Review node id → the pull request it belongs to, waiting for its comments lookup (saved with a walk).
      const pendingReviews = new Map<string, number>(start.walk?.pending ?? []);
      let commentsBatch = REVIEW_COMMENTS_BATCH;

      const fetchComments = async (all: boolean): Promise<void> => {
        while (pendingReviews.size >= REVIEW_COMMENTS_BATCH || (all && pendingReviews.size > 0)) {
          const batch = [...pendingReviews.entries()].slice(0, commentsBatch);
          const ids = batch.map(([id]) => id);
          let answer: GraphqlAnswer;
          try {
            answer = await query(
              commentsQuery,
              { ids: ids.slice(0, REVIEW_IDS_PER_ALIAS), more: ids.slice(REVIEW_IDS_PER_ALIAS) },
              ctx.signal,
            );
          } catch (err) {
            if (err instanceof GraphqlTimeoutError && commentsBatch > 1) {
              commentsBatch = Math.max(1, Math.floor(commentsBatch / 2));
              continue;
            }
            throw err;
          }
          for (const [id] of batch) pendingReviews.delete(id);
          const pullOf = new Map(batch);
          const reviews = [answer.data.lookup, answer.data.overflow].flatMap((list) =>
            Array.isArray(list) ? list.filter(isRecord) : [],
          );
          for (const review of reviews) {
            const reviewId = stringField(review, 'id', 'github graphql review');
            const pullNumber = pullOf.get(reviewId);
            if (pullNumber !== undefined) await addComments(reviewId, review.comments, answer, pullNumber);
          }
        }
      };

      /** A review's comments as the answer brought them, plus the pages past them. */
      const addComments = async (
        reviewId: string,
        first: unknown,
        answer: GraphqlAnswer,
        pullNumber: number,
      ): Promise<void> => {
        let comments = connectionOf(first, 'review comments');
        const nodes = [...comments.nodes];
        let last = answer;
        while (comments.hasNextPage) {
          last = await query(
            REVIEW_COMMENTS_PAGE_QUERY,
            { id: reviewId, after: comments.endCursor },
            ctx.signal,
          );
          comments = connectionOf(
            isRecord(last.data.node) ? last.data.node.comments : null,
            'review comments',
          );
          nodes.push(...comments.nodes);
        }
        for (const c of nodes) {
          buffers.add('github_review_comments', {
            externalId: stringField(c, 'fullDatabaseId', 'github graphql review comment'),
            rawData: c,
            metadata: metadata(last, { repository, pull_number: pullNumber }),
          });
        }
      };

      for (;;) {
        let answer: GraphqlAnswer;
        try {
          // Comments of reviews from earlier pages, as many as ride along without raising the cost.
          const riding = [...pendingReviews.entries()].slice(0, probing ? 0 : freeLookups(size));
          answer = await query(
            probing ? probeQuery : pageQuery,
            { owner, name, first: size, after, pending: riding.map(([id]) => id) },
            ctx.signal,
          );
          for (const [id] of riding) pendingReviews.delete(id);
          const pullOf = new Map(riding);
          for (const review of Array.isArray(answer.data.pending)
            ? answer.data.pending.filter(isRecord)
            : []) {
            const reviewId = stringField(review, 'id', 'github graphql review');
            const pullNumber = pullOf.get(reviewId);
            if (pullNumber !== undefined) await addComments(reviewId, review.comments, answer, pullNumber);
          }
        } catch (err) {
          if (err instanceof GraphqlTimeoutError && size > 1) {
            size = Math.max(1, Math.floor(size / 2));
            continue;
          }
          throw err;
        }
        const repo = answer.data.repository;
        const page = connectionOf(
          isRecord(repo) ? repo.pullRequests : null,
          `repository ${repository} pullRequests`,
        );
        let reachedCursor = false;
        let changed = 0;
        for (const pr of page.nodes) {
          const updated = timestampMs(pr.updatedAt);
          if (since !== null && updated !== null && updated < since) {
            reachedCursor = true;
            break;
          }
          const number = pr.number;
          if (typeof number !== 'number' || seen.has(number)) continue;
          seen.add(number);
          changed++;
          if (updated !== null) cursor = laterOf(cursor, new Date(updated).toISOString());
          await collectPull(pr, number, answer);
        }
        await fetchComments(false);
        if (reachedCursor || !page.hasNextPage || page.endCursor === null) break;
        after = page.endCursor;
        // Stored up to here: a run killed from now on goes on at `after`, with the reviews still waiting.
        const walk = { since: start.since, reached: cursor, after, skip: 0, pending: [...pendingReviews] };
        yield* withCheckpoint(buffers.drain(), 'github_pull_requests', {
          scope: repository,
          cursor: walkCursor(walk),
        });
        // A probe that came back full of changes: the rest is read at full size.
        if (changed === page.nodes.length) size = pageSize;
        probing = false;
      }
      await fetchComments(true);
      yield* withCheckpoint(buffers.drain(), 'github_pull_requests', { scope: repository, cursor });

      async function collectPull(pr: Node, number: number, answer: GraphqlAnswer): Promise<void> {
        const id = stringField(pr, 'id', 'github graphql pull request');
        const scope = { repository, pull_number: number };
        const lists = {} as Record<NestedName, Node[]>;
        for (const key of Object.keys(NESTED) as NestedName[]) {
          let conn = connectionOf(pr[key], `pull request ${number} ${key}`);
          const nodes = [...conn.nodes];
          while (conn.hasNextPage) {
            const more = await query(pullConnectionQuery(key), { id, after: conn.endCursor }, ctx.signal);
            conn = connectionOf(
              isRecord(more.data.node) ? more.data.node[key] : null,
              `pull request ${number} ${key}`,
            );
            nodes.push(...conn.nodes);
          }
          lists[key] = nodes;
        }
        const { reviews: _reviews, commits: _commits, ...rest } = pr;
        const pull: Node = {
          ...rest,
          // Complete lists: what the page brought plus any follow-up pages.
          labels: { totalCount: lists.labels.length, nodes: lists.labels },
          reviewRequests: { totalCount: lists.reviewRequests.length, nodes: lists.reviewRequests },
        };
        buffers.add('github_pull_requests', {
          externalId: stringField(pr, 'fullDatabaseId', 'github graphql pull request'),
          rawData: pull,
          metadata: metadata(answer, scope),
        });
        for (const review of lists.reviews) {
          // The probe brings a review's comments inline; they are records of their own.
          const { comments: inline, ...reviewNode } = review;
          buffers.add('github_reviews', {
            externalId: stringField(review, 'fullDatabaseId', 'github graphql review'),
            rawData: reviewNode,
            metadata: metadata(answer, scope),
          });
          const reviewId = stringField(review, 'id', 'github graphql review');
          if (inline === undefined) pendingReviews.set(reviewId, number);
          else await addComments(reviewId, inline, answer, number);
        }
        for (const entry of lists.commits) {
          const commit = isRecord(entry.commit) ? entry.commit : null;
          if (!commit) continue;
          // One raw record per (pull request, commit), as the REST collector keeps them: a commit two
          // PRs list is stored (and associated) for each, not dropped as seen for the second.
          buffers.add('github_commits', {
            externalId: `${repository}#${number}@${stringField(commit, 'oid', 'github graphql commit')}`,
            rawData: commit,
            metadata: metadata(answer, scope),
          });
        }
      }
    }
  };
}
