import type { Socket } from 'node:net';
import type { ResolvedConfig } from './config.ts';
import { JiraStore } from './jira/model.ts';
import { SearchIndex } from './jira/search.ts';
import { GithubStore } from './github/model.ts';
import { Deliveries } from './github/deliveries.ts';
import { planIncidents } from './jira/incidents.ts';
import { FaultEngine } from './faults/rules.ts';
import { RateLimiter } from './faults/ratelimit.ts';
import { Stats } from './faults/stats.ts';

/** Everything one simulator instance owns; routes reach it through closures, never globals. */
export interface SimState {
  config: ResolvedConfig;
  jira: JiraStore;
  search: SearchIndex;
  github: GithubStore;
  /** Deployments with their statuses, on top of `github`'s seeded list. */
  deliveries: Deliveries;
  faults: FaultEngine;
  limiter: RateLimiter;
  stats: Stats;
  latencyMs: number;
  /** Sockets held open by `hang` faults, destroyed when the server closes. */
  hung: Set<Socket>;
}

export function createState(config: ResolvedConfig): SimState {
  const github = new GithubStore(config.seed, config.github.owner, config.github.repos, config.github.prs);
  const deliveries = new Deliveries(github);
  const jira = new JiraStore(config.seed, config.jira.projects, config.jira.issues, {
    deepIssues: config.jira.deepIssues,
    incidentPlan: planIncidents(config.seed, github, deliveries),
  });
  const faults = new FaultEngine(config.seed);
  for (const rule of config.faults) faults.add(rule);
  return {
    config,
    jira,
    search: new SearchIndex(jira),
    github,
    deliveries,
    faults,
    limiter: new RateLimiter(
      { jira: config.limits.jira, github: config.limits.github },
      config.limits.burst,
      config.now,
    ),
    stats: new Stats(config.now),
    latencyMs: config.latencyMs,
    hung: new Set(),
  };
}
