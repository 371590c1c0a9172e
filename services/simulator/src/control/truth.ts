import type { SimState } from '../state.ts';
import type { AdvanceDeliveriesResult } from './deliveries.ts';
import type { JiraIssue } from '../jira/serialize.ts';
import { allFields, issueJson } from '../jira/serialize.ts';
import { commitJson, pullJson, reviewCommentJson, reviewJson } from '../github/serialize.ts';
import { configuredName } from '../github/model.ts';

export interface TruthSummary {
  jira: { projects: string[]; issues: number; transitions: number; histories: number };
  github: {
    /** As integrations are configured (a renamed repository under its former name). */
    repositories: string[];
    /** Configured name → current name, for repositories renamed since. */
    renamed: Record<string, string>;
    pull_requests: number;
    reviews: number;
    /** Distinct commits. */
    commits: number;
    /** (pull request, commit) listings: a commit two PRs list counts twice. */
    pull_request_commits: number;
    review_comments: number;
  };
}

/** An issue exactly as search/jql would show it with every field, plus its complete changelog (oldest first). */
export type TruthIssue = JiraIssue & { transitions: number };

export interface TruthPullRequest {
  /** The single-PR shape (`GET /repos/{o}/{r}/pulls/{n}`). */
  pull: Record<string, unknown>;
  reviews: Array<Record<string, unknown>>;
  review_comments: Array<Record<string, unknown>>;
  commits: Array<Record<string, unknown>>;
}

export interface AdvanceResult extends AdvanceDeliveriesResult {
  at: string;
  issues: string[];
  pull_requests: Array<{ repository: string; number: number; change: string }>;
}

export function truthSummary(state: SimState): TruthSummary {
  const j = state.jira;
  return {
    jira: {
      projects: j.projects.map((p) => p.key),
      issues: j.issueCount,
      transitions: j.totalTransitions,
      histories: j.totalHistories,
    },
    github: {
      repositories: state.github.repos.map((r) => configuredName(r)),
      renamed: Object.fromEntries(
        state.github.repos.flatMap((r): [string, string][] =>
          r.formerFullName ? [[r.formerFullName, r.fullName]] : [],
        ),
      ),
      pull_requests: state.github.prCount,
      reviews: state.github.totalReviews,
      commits: state.github.distinctCommits,
      pull_request_commits: state.github.totalCommits,
      review_comments: state.github.totalReviewComments,
    },
  };
}

export function truthIssue(state: SimState, base: string, index: number): TruthIssue {
  const rec = state.jira.get(index);
  return {
    ...issueJson(base, state.jira, rec, new Set(allFields(state.jira)), 'full'),
    transitions: state.jira.transitionsPerIssue[index] ?? 0,
  };
}

export function truthPull(state: SimState, api: string, index: number): TruthPullRequest {
  const gh = state.github;
  const pr = gh.get(index);
  return {
    pull: pullJson(api, gh, pr, true),
    reviews: pr.reviews.map((r) => reviewJson(api, gh, pr, r)),
    review_comments: pr.comments.map((c) => reviewCommentJson(api, gh, pr, c)),
    commits: pr.commits.map((c) => commitJson(api, gh, pr, c)),
  };
}
