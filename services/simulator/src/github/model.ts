import { hashInts, hexFrom, makeRng, weighted } from '../data/prng.ts';
import type { Rng } from '../data/prng.ts';
import { DAY, HOUR, MINUTE, epochForSeed } from '../data/time.ts';
import {
  ENVIRONMENTS,
  FILE_PATHS,
  FIRST_NAMES,
  LABELS,
  LAST_NAMES,
  NOUNS,
  REPO_NAMES,
  VERBS,
} from '../data/names.ts';
import { pickDistinct } from '../jira/model.ts';
import { oddBody, rebaseSome, renamedRepoIndex, sharesCommits } from './real-shapes.ts';

export interface GhUserRec {
  login: string;
  id: number;
  name: string;
  type: 'User' | 'Organization';
}

export interface RepoRec {
  index: number;
  id: number;
  name: string;
  /** The current `owner/name`, as payloads (and their URLs) show it. */
  fullName: string;
  /** The name it had before a rename: integrations configured with it still reach it. */
  formerFullName: string | null;
  description: string;
  language: string;
  created: number;
  /** PR indices belonging to this repo, ordered by number. */
  prs: number[];
}

export interface CommitRec {
  sha: string;
  message: string;
  user: number | null;
  /** Author date: when the change was written. */
  date: number;
  /** Committer date and user: differ from the author's after a rebase or squash. */
  committed: number;
  committer: number | null;
  parents: string[];
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';

export interface ReviewRec {
  id: number;
  user: number;
  body: string;
  state: ReviewState;
  submitted: number;
  commitId: string;
}

export interface ReviewCommentRec {
  id: number;
  reviewId: number;
  user: number;
  body: string;
  path: string;
  position: number;
  line: number;
  commitId: string;
  created: number;
  inReplyTo: number | null;
}

export interface PullRec {
  index: number;
  id: number;
  number: number;
  repo: number;
  title: string;
  body: string | null;
  user: number;
  labels: string[];
  created: number;
  updated: number;
  closed: number | null;
  merged: number | null;
  mergedBy: number | null;
  state: 'open' | 'closed';
  draft: boolean;
  headRef: string;
  baseSha: string;
  mergeCommitSha: string | null;
  additions: number;
  deletions: number;
  changedFiles: number;
  issueComments: number;
  authorAssociation: string;
  commits: CommitRec[];
  reviews: ReviewRec[];
  comments: ReviewCommentRec[];
  /** Users whose review is requested and who have not reviewed since (GitHub drops a request once its reviewer reviews). */
  requestedReviewers: number[];
}

export interface DeploymentRec {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  creator: number;
  created: number;
  description: string;
}

export interface ReleaseRec {
  id: number;
  tag: string;
  name: string;
  draft: boolean;
  prerelease: boolean;
  created: number;
  published: number | null;
  author: number;
  body: string;
}

const USER_COUNT = 40;
const LANGUAGES = ['TypeScript', 'Go', 'Python', 'Kotlin', 'HCL', 'Rust'];

/** GitHub times have second precision; keep records on whole seconds so sorting matches the wire. */
const sec = (ms: number): number => Math.floor(ms / 1000) * 1000;

export const PR_STATE_OPEN = 0;
export const PR_STATE_CLOSED = 1;
export const PR_STATE_MERGED = 2;

export class GithubStore {
  readonly seed: number;
  readonly epoch: number;
  readonly prCount: number;
  readonly owner: GhUserRec;
  readonly users: GhUserRec[];
  readonly repos: RepoRec[];
  readonly repoByName: Map<string, number>;
  readonly created: Float64Array;
  readonly updated: Float64Array;
  readonly state: Uint8Array;
  readonly commentCount: Int32Array;
  totalReviews = 0;
  /** Commit listings: one per (pull request, commit), a shared commit counted per PR that lists it. */
  totalCommits = 0;
  /** Distinct commits (a commit two PRs list counted once). */
  distinctCommits = 0;
  totalReviewComments = 0;
  private readonly overlay = new Map<number, PullRec>();
  private advanceRound = 0;

  constructor(seed: number, ownerLogin: string, repoCount: number, prCount: number) {
    this.seed = seed;
    this.epoch = epochForSeed(seed);
    this.prCount = prCount;
    this.owner = {
      login: ownerLogin,
      id: 100_000 + (hashInts(seed, 20) % 900_000),
      name: ownerLogin,
      type: 'Organization',
    };
    this.users = [];
    for (let u = 0; u < USER_COUNT; u++) {
      const r = makeRng(seed, 21, u);
      const first = r.pick(FIRST_NAMES);
      const last = r.pick(LAST_NAMES);
      this.users.push({
        login: `${first}${last.slice(0, 3)}${u}`.toLowerCase().replace(/[^a-z0-9]/g, ''),
        id: 1_000_000 + (hashInts(seed, 22, u) % 90_000_000),
        name: `${first} ${last}`,
        type: 'User',
      });
    }
    const offset = hashInts(seed, 23) % REPO_NAMES.length;
    this.repos = [];
    for (let k = 0; k < repoCount; k++) {
      const base = REPO_NAMES[(k + offset) % REPO_NAMES.length] ?? 'repo';
      const round = Math.floor(k / REPO_NAMES.length);
      const name = round === 0 ? base : `${base}-${round + 1}`;
      const r = makeRng(seed, 24, k);
      this.repos.push({
        index: k,
        id: 500_000_000 + (hashInts(seed, 25) % 100_000_000) + k,
        name,
        fullName: `${ownerLogin}/${name}`,
        formerFullName: null,
        description: `The ${name.replace(/-/g, ' ')} of the simulated organisation`,
        language: r.pick(LANGUAGES),
        created: sec(this.epoch - (800 + r.int(0, 400)) * DAY),
        prs: [],
      });
    }
    const renamed = renamedRepoIndex(repoCount);
    const moved = renamed === null ? undefined : this.repos[renamed];
    if (moved) {
      // Renamed after integrations were set up: the old name still answers, payloads carry the new one.
      moved.formerFullName = moved.fullName;
      moved.name = `${moved.name}-renamed`;
      moved.fullName = `${ownerLogin}/${moved.name}`;
    }
    this.repoByName = new Map(this.repos.map((r) => [r.name.toLowerCase(), r.index]));
    for (const r of this.repos)
      if (r.formerFullName) this.repoByName.set(r.formerFullName.split('/')[1]!.toLowerCase(), r.index);
    this.created = new Float64Array(prCount);
    this.updated = new Float64Array(prCount);
    this.state = new Uint8Array(prCount);
    this.commentCount = new Int32Array(prCount);
    for (let j = 0; j < prCount; j++) {
      const pr = this.generate(j);
      this.repos[pr.repo]?.prs.push(j);
      this.index(pr);
      this.totalReviews += pr.reviews.length;
      this.totalCommits += pr.commits.length;
      this.distinctCommits += new Set(pr.commits.map((c) => c.sha)).size - this.sharedWithEarlier(j, pr);
      this.totalReviewComments += pr.comments.length;
    }
  }

  private index(pr: PullRec): void {
    this.created[pr.index] = pr.created;
    this.updated[pr.index] = pr.updated;
    this.state[pr.index] =
      pr.merged !== null ? PR_STATE_MERGED : pr.state === 'closed' ? PR_STATE_CLOSED : PR_STATE_OPEN;
    this.commentCount[pr.index] = pr.issueComments + pr.comments.length;
  }

  private otherUser(r: Rng, not: number): number {
    const u = r.int(0, USER_COUNT - 2);
    return u >= not ? u + 1 : u;
  }

  generate(j: number, withShared = true): PullRec {
    const r = makeRng(this.seed, 201, j);
    const repoCount = this.repos.length;
    const repo = j % repoCount;
    const number = Math.floor(j / repoCount) + 1;
    const start = this.epoch - 730 * DAY;
    const created = sec(start + (j / Math.max(1, this.prCount)) * 725 * DAY + r.next() * 6 * HOUR);
    const user = r.int(0, USER_COUNT - 1);
    const age = this.epoch - created;
    const open = r.chance(age < 30 * DAY ? 0.5 : 0.05);
    const closed = open ? null : sec(Math.min(this.epoch - MINUTE, created + HOUR + r.next() * 20 * DAY));
    const merged = closed !== null && r.chance(0.85) ? closed : null;
    const end = closed ?? this.epoch;

    const baseSha = hexFrom(40, this.seed, 30, j);
    const commits: CommitRec[] = [];
    const commitCount = r.int(1, 10);
    let t = sec(created - HOUR - r.next() * 3 * DAY);
    for (let k = 0; k < commitCount; k++) {
      t = sec(Math.min(end - 1000, t + 5 * MINUTE + r.next() * DAY));
      const prev = commits[k - 1]?.sha ?? baseSha;
      commits.push({
        sha: hexFrom(40, this.seed, 31, j, k),
        message:
          k === 0
            ? `${r.pick(VERBS)} ${r.pick(NOUNS)}`
            : r.pick(['Address review comments', 'Fix tests', 'Refactor', 'Update docs', 'WIP']),
        // Unlinked commit emails yield author: null, as on GitHub.
        user: r.chance(0.9) ? user : null,
        date: t,
        committed: t,
        committer: null,
        parents: [prev],
      });
    }
    for (const c of commits) c.committer = c.user;
    const committers = makeRng(this.seed, 37, j);
    rebaseSome(this.seed, j, commits, end, () => this.otherUser(committers, user));
    const shared = withShared && j >= repoCount ? sharesCommits(this.seed, j) : 0;
    if (shared > 0) commits.unshift(...this.generate(j - repoCount, false).commits.slice(0, shared));
    const headSha = commits.at(-1)?.sha ?? baseSha;

    const reviews: ReviewRec[] = [];
    const comments: ReviewCommentRec[] = [];
    const reviewCount = weighted(r, [0.15, 0.3, 0.25, 0.15, 0.1, 0.05]);
    const reviewTimes = Array.from({ length: reviewCount }, () =>
      sec(created + MINUTE + r.next() * Math.max(MINUTE, end - created - 2 * MINUTE)),
    );
    reviewTimes.sort((a, b) => a - b);
    for (let k = 0; k < reviewCount; k++) {
      const last = k === reviewCount - 1;
      const state: ReviewState =
        last && merged !== null && r.chance(0.8)
          ? 'APPROVED'
          : ((['CHANGES_REQUESTED', 'COMMENTED', 'APPROVED', 'DISMISSED'] as const)[
              weighted(r, [0.25, 0.35, 0.35, 0.05])
            ] ?? 'COMMENTED');
      const review: ReviewRec = {
        id: 2_000_000_000 + j * 1000 + k,
        user: this.otherUser(r, user),
        body: state === 'APPROVED' ? (r.chance(0.5) ? 'LGTM' : '') : `Please look at the ${r.pick(NOUNS)}.`,
        state,
        submitted: reviewTimes[k] ?? created,
        commitId: headSha,
      };
      reviews.push(review);
      if (state === 'CHANGES_REQUESTED' || state === 'COMMENTED') {
        const n = r.int(1, 3);
        for (let c = 0; c < n; c++) this.addComment(r, j, comments, review, user, r.chance(0.3));
      }
    }
    // From a stream of their own, so every other field stays as seeded.
    const requests = makeRng(this.seed, 38, j);
    const reviewed = new Set(reviews.map((rv) => rv.user));
    const requestedReviewers: number[] = [];
    for (let k = weighted(requests, [0.55, 0.3, 0.15]); k > 0; k--) {
      const asked = this.otherUser(requests, user);
      if (!reviewed.has(asked) && !requestedReviewers.includes(asked)) requestedReviewers.push(asked);
    }
    const lastActivity = Math.max(created, closed ?? 0, reviewTimes.at(-1) ?? 0, commits.at(-1)?.date ?? 0);
    const labels = new Set<string>();
    for (let l = weighted(r, [0.5, 0.35, 0.15]); l > 0; l--) labels.add(r.pick(LABELS));
    const additions = r.int(1, 800);
    return {
      index: j,
      id: 1_800_000_000 + (hashInts(this.seed, 26) % 100_000_000) + j,
      number,
      repo,
      title: `${r.pick(VERBS)} ${r.pick(NOUNS)}`,
      body: oddBody(
        this.seed,
        j,
        r.chance(0.8)
          ? `This change touches the ${r.pick(NOUNS)}.\n\nCloses #${Math.max(1, number - r.int(1, 5))}`
          : null,
      ),
      user,
      labels: [...labels],
      created,
      updated: sec(Math.min(this.epoch, lastActivity + r.next() * HOUR)),
      closed,
      merged,
      mergedBy: merged !== null ? this.otherUser(r, user) : null,
      state: closed === null ? 'open' : 'closed',
      draft: open && r.chance(0.15),
      headRef: `feature/${j.toString(36)}-${r.pick(NOUNS).replace(/\s+/g, '-')}`,
      baseSha,
      mergeCommitSha: merged !== null ? hexFrom(40, this.seed, 32, j) : null,
      additions,
      deletions: r.int(0, additions),
      changedFiles: r.int(1, 30),
      issueComments: r.int(0, 6),
      authorAssociation:
        (['MEMBER', 'CONTRIBUTOR', 'FIRST_TIME_CONTRIBUTOR'] as const)[weighted(r, [0.7, 0.25, 0.05])] ??
        'MEMBER',
      commits,
      reviews,
      comments,
      requestedReviewers,
    };
  }

  private addComment(
    r: Rng,
    j: number,
    comments: ReviewCommentRec[],
    review: ReviewRec,
    author: number,
    reply: boolean,
  ): void {
    const line = r.int(1, 300);
    const first: ReviewCommentRec = {
      id: 1_500_000_000 + j * 1000 + comments.length,
      reviewId: review.id,
      user: review.user,
      body: `Consider handling the ${r.pick(NOUNS)} here.`,
      path: r.pick(FILE_PATHS),
      position: r.int(1, 40),
      line,
      commitId: review.commitId,
      created: review.submitted,
      inReplyTo: null,
    };
    comments.push(first);
    if (reply) {
      comments.push({
        ...first,
        id: 1_500_000_000 + j * 1000 + comments.length,
        user: author,
        body: 'Done.',
        created: review.submitted + MINUTE,
        inReplyTo: first.id,
      });
    }
  }

  /** How many of `pr`'s commits an earlier pull request of its repository already lists. */
  private sharedWithEarlier(j: number, pr: PullRec): number {
    const repoCount = this.repos.length;
    if (j < repoCount) return 0;
    const earlier = new Set(this.generate(j - repoCount, false).commits.map((c) => c.sha));
    return pr.commits.filter((c) => earlier.has(c.sha)).length;
  }

  get(j: number): PullRec {
    return this.overlay.get(j) ?? this.generate(j);
  }

  findRepo(owner: string, name: string): RepoRec | undefined {
    if (owner.toLowerCase() !== this.owner.login.toLowerCase()) return undefined;
    const k = this.repoByName.get(name.toLowerCase());
    return k === undefined ? undefined : this.repos[k];
  }

  pullIndex(repo: RepoRec, number: number): number | undefined {
    return Number.isInteger(number) && number >= 1 ? repo.prs[number - 1] : undefined;
  }

  deploymentCount(repo: RepoRec): number {
    return Math.max(1, Math.floor(repo.prs.length * 0.6));
  }

  /** Deployment k of a repo, k = 0 oldest. Built on demand, spread evenly over the two years. */
  deployment(repo: RepoRec, k: number): DeploymentRec {
    const r = makeRng(this.seed, 40, repo.index, k);
    const n = this.deploymentCount(repo);
    return {
      id: 3_000_000_000 + repo.index * 1_000_000 + k,
      sha: hexFrom(40, this.seed, 41, repo.index, k),
      ref: r.chance(0.9) ? 'main' : `v1.${k}.0`,
      environment: r.pick(ENVIRONMENTS),
      creator: r.int(0, USER_COUNT - 1),
      created: sec(this.epoch - 730 * DAY + ((k + r.next()) / n) * 729 * DAY),
      description: `Deploy ${r.pick(['main', 'hotfix', 'release'])}`,
    };
  }

  releaseCount(repo: RepoRec): number {
    return Math.max(1, Math.floor(repo.prs.length / 8));
  }

  release(repo: RepoRec, k: number): ReleaseRec {
    const r = makeRng(this.seed, 42, repo.index, k);
    const n = this.releaseCount(repo);
    const created = sec(this.epoch - 730 * DAY + ((k + r.next()) / n) * 729 * DAY);
    const draft = k === n - 1 && r.chance(0.3);
    return {
      id: 4_000_000_000 + repo.index * 1_000_000 + k,
      tag: `v${1 + Math.floor(k / 20)}.${k % 20}.0`,
      name: `Release ${1 + Math.floor(k / 20)}.${k % 20}.0`,
      draft,
      prerelease: !draft && r.chance(0.1),
      created,
      published: draft ? null : created + r.int(1, 60) * MINUTE,
      author: r.int(0, USER_COUNT - 1),
      body: `Changes: ${r.pick(NOUNS)}, ${r.pick(NOUNS)}.`,
    };
  }

  /** Changes `n` distinct PRs (merge, close, reopen, new review or comment) stamped with `at`. */
  advance(n: number, at: number): Array<{ repository: string; number: number; change: string }> {
    const round = this.advanceRound++;
    const r = makeRng(this.seed, 901, round);
    const out: Array<{ repository: string; number: number; change: string }> = [];
    for (const j of pickDistinct(r, this.prCount, n)) {
      const pr = this.get(j);
      const t = Math.max(sec(at), pr.updated + 1000);
      let change: string;
      const x = r.next();
      if (pr.state === 'open' && x < 0.4) {
        pr.state = 'closed';
        pr.closed = t;
        pr.merged = t;
        pr.draft = false;
        pr.mergedBy = this.otherUser(r, pr.user);
        pr.mergeCommitSha = hexFrom(40, this.seed, 33, j, round);
        change = 'merged';
      } else if (pr.state === 'open' && x < 0.55) {
        pr.state = 'closed';
        pr.closed = t;
        change = 'closed';
      } else if (pr.state === 'closed' && pr.merged === null) {
        pr.state = 'open';
        pr.closed = null;
        change = 'reopened';
      } else {
        const state: ReviewState =
          pr.merged !== null ? 'COMMENTED' : r.pick(['APPROVED', 'CHANGES_REQUESTED', 'COMMENTED'] as const);
        const review: ReviewRec = {
          id: 2_000_000_000 + j * 1000 + 500 + (round % 500),
          user: this.otherUser(r, pr.user),
          body: state === 'APPROVED' ? 'Looks good now.' : `What about the ${r.pick(NOUNS)}?`,
          state,
          submitted: t,
          commitId: pr.commits.at(-1)?.sha ?? pr.baseSha,
        };
        pr.reviews.push(review);
        pr.requestedReviewers = pr.requestedReviewers.filter((u) => u !== review.user);
        this.totalReviews++;
        change = 'reviewed';
        if (state !== 'APPROVED') {
          const before = pr.comments.length;
          this.addComment(r, j, pr.comments, review, pr.user, false);
          const added = pr.comments.at(-1);
          if (added) added.id = 1_700_000_000 + j * 1000 + (round % 1000);
          this.totalReviewComments += pr.comments.length - before;
          change = 'review_comment';
        }
      }
      pr.updated = t;
      this.overlay.set(j, pr);
      this.index(pr);
      out.push({ repository: configuredName(this.repos[pr.repo]), number: pr.number, change });
    }
    return out;
  }
}

/** The name an integration is configured with: the former one for a renamed repository. */
export function configuredName(repo: RepoRec | undefined): string {
  return repo?.formerFullName ?? repo?.fullName ?? '';
}
