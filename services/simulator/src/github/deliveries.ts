import { makeRng } from '../data/prng.ts';
import { MINUTE } from '../data/time.ts';
import type { DeploymentRec, GithubStore, RepoRec } from './model.ts';

export type DeploymentState = 'queued' | 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';
/** How a deployment ended; pending: it never reached success, failure or error. */
export type DeploymentOutcome = 'success' | 'failure' | 'error' | 'pending';

export interface DeploymentStatusRec {
  id: number;
  state: DeploymentState;
  created: number;
  description: string;
  creator: number;
}

/** A deployment with its statuses (oldest first), as the simulator's truth. */
export interface Delivery {
  deployment: DeploymentRec;
  outcome: DeploymentOutcome;
  statuses: DeploymentStatusRec[];
}

/** GitHub sets `production_environment` by default only for an environment named "production". */
export function isProductionFlagged(environment: string): boolean {
  return environment === 'production';
}

const DESCRIPTIONS: Record<DeploymentState, string> = {
  queued: 'Deployment queued',
  in_progress: 'Deploying',
  success: 'Deployment finished successfully.',
  failure: 'Deployment failed: health check did not pass.',
  error: 'Deployment errored: the runner was lost.',
  inactive: 'Superseded by a newer deployment.',
};

const sec = (ms: number): number => Math.floor(ms / 1000) * 1000;

/**
 * Deployments with realistic status sequences on top of the seeded deployment list: queued →
 * in_progress → success | failure | error, then `inactive` on an older success once a newer one
 * succeeds in the same environment (GitHub's `auto_inactive`, which skips environments flagged as
 * production). Odd-numbered repositories call their production environment `prod`, as some teams
 * do. Deployments added by `/_sim/advance` come after the seeded ones. Kept apart from the PR
 * model so the delivery timeline can change without touching how pull requests are generated.
 */
export class Deliveries {
  readonly #store: GithubStore;
  readonly #added = new Map<number, Array<{ rec: DeploymentRec; outcome: DeploymentOutcome }>>();
  readonly #cache = new Map<number, Delivery[]>();

  constructor(store: GithubStore) {
    this.#store = store;
  }

  /** Every deployment of the repository, oldest first, with its statuses. */
  timeline(repo: RepoRec): Delivery[] {
    const cached = this.#cache.get(repo.index);
    if (cached) return cached;
    const base = this.#store.deploymentCount(repo);
    const out: Delivery[] = [];
    for (let k = 0; k < base; k++) {
      const seeded = this.#store.deployment(repo, k);
      const rec: DeploymentRec = {
        ...seeded,
        environment:
          seeded.environment === 'production' && repo.index % 2 === 1 ? 'prod' : seeded.environment,
      };
      const r = makeRng(this.#store.seed, 43, repo.index, k);
      const x = r.next();
      const outcome: DeploymentOutcome = x < 0.8 ? 'success' : x < 0.92 ? 'failure' : 'error';
      out.push(this.#build(repo, k, rec, outcome, r.int(10, 120) * 1000, r.int(2, 20) * MINUTE));
    }
    for (const [n, added] of (this.#added.get(repo.index) ?? []).entries()) {
      out.push(this.#build(repo, base + n, added.rec, added.outcome, 30_000, 5 * MINUTE));
    }
    markInactive(out);
    this.#cache.set(repo.index, out);
    return out;
  }

  find(repo: RepoRec, id: number): Delivery | undefined {
    return this.timeline(repo).find((d) => d.deployment.id === id);
  }

  /**
   * A new deployment created at `at`; its statuses follow within minutes, so a test that wants
   * the outcome visible sets the simulator clock past them.
   */
  add(repo: RepoRec, environment: string, outcome: DeploymentOutcome, at: number): Delivery {
    const list = this.#added.get(repo.index) ?? [];
    const k = this.#store.deploymentCount(repo) + list.length;
    const rec: DeploymentRec = {
      id: 3_000_000_000 + repo.index * 1_000_000 + k,
      sha: this.#store.repos[repo.index] ? latestSha(this.#store, repo, k) : '0'.repeat(40),
      ref: 'main',
      environment,
      creator: makeRng(this.#store.seed, 44, repo.index, k).int(0, this.#store.users.length - 1),
      created: sec(at),
      description: 'Deploy main',
    };
    list.push({ rec, outcome });
    this.#added.set(repo.index, list);
    this.#cache.delete(repo.index);
    const made = this.find(repo, rec.id);
    if (!made) throw new Error('added deployment vanished');
    return made;
  }

  #build(
    repo: RepoRec,
    k: number,
    rec: DeploymentRec,
    outcome: DeploymentOutcome,
    startAfter: number,
    runFor: number,
  ): Delivery {
    const id = (s: number) => 6_000_000_000 + repo.index * 100_000_000 + k * 10 + s;
    const status = (s: number, state: DeploymentState, created: number): DeploymentStatusRec => ({
      id: id(s),
      state,
      created: sec(created),
      description: DESCRIPTIONS[state],
      creator: rec.creator,
    });
    const statuses = [status(0, 'queued', rec.created), status(1, 'in_progress', rec.created + startAfter)];
    if (outcome !== 'pending') statuses.push(status(2, outcome, rec.created + startAfter + runFor));
    return { deployment: rec, outcome, statuses };
  }
}

/** GitHub's auto_inactive: a success retires the previous success of the same (non-production) environment. */
function markInactive(deliveries: Delivery[]): void {
  const lastSuccess = new Map<string, Delivery>();
  const bySuccess = deliveries
    .filter((d) => d.outcome === 'success')
    .sort((a, b) => successAt(a) - successAt(b));
  for (const d of bySuccess) {
    const env = d.deployment.environment;
    const previous = lastSuccess.get(env);
    if (previous && !isProductionFlagged(env)) {
      previous.statuses.push({
        // Statuses 0–2 are queued, in_progress and the outcome; 3 is the retirement.
        id: (previous.statuses[0]?.id ?? 0) + 3,
        state: 'inactive',
        created: successAt(d),
        description: DESCRIPTIONS.inactive,
        creator: d.deployment.creator,
      });
    }
    lastSuccess.set(env, d);
  }
}

function successAt(d: Delivery): number {
  return d.statuses.find((s) => s.state === 'success')?.created ?? d.deployment.created;
}

/** The merge commit of the newest pull request merged before deployment `k` would ship, else the seeded sha. */
function latestSha(store: GithubStore, repo: RepoRec, k: number): string {
  let best: { at: number; sha: string } | null = null;
  for (const j of repo.prs) {
    const pr = store.get(j);
    if (pr.merged !== null && pr.mergeCommitSha !== null && (best === null || pr.merged > best.at)) {
      best = { at: pr.merged, sha: pr.mergeCommitSha };
    }
  }
  return best?.sha ?? store.deployment(repo, Math.min(k, store.deploymentCount(repo) - 1)).sha;
}
