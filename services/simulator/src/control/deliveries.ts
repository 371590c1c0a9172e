import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimState } from '../state.ts';
import { githubTime } from '../data/time.ts';
import { resolveIncidents } from '../jira/incidents.ts';
import { configuredName } from '../github/model.ts';

/** The analytics part of `POST /_sim/advance`: new deployments with a chosen outcome, incidents resolved. */
export const advanceDeliveriesBody = z.object({
  deployments: z
    .array(
      z.object({
        repository: z.string().min(1),
        environment: z.string().min(1).default('production'),
        outcome: z.enum(['success', 'failure', 'error', 'pending']),
      }),
    )
    .default([]),
  incidents_resolved: z.number().int().nonnegative().default(0),
});
export type AdvanceDeliveriesBody = z.infer<typeof advanceDeliveriesBody>;

export interface AdvanceDeliveriesResult {
  deployments: Array<{ repository: string; id: number; environment: string; outcome: string }>;
  incidents_resolved: string[];
}

/** Applies the analytics edits at `at`; an unknown repository is a 400 for the caller. */
export function advanceDeliveries(
  state: SimState,
  body: AdvanceDeliveriesBody,
  at: number,
): AdvanceDeliveriesResult | { error: string } {
  const deployments: AdvanceDeliveriesResult['deployments'] = [];
  for (const d of body.deployments) {
    const [owner = '', name = ''] = d.repository.split('/');
    const repo = state.github.findRepo(owner, name);
    if (!repo) return { error: `deployments: no repository ${d.repository}` };
    const made = state.deliveries.add(repo, d.environment, d.outcome, at);
    deployments.push({
      repository: configuredName(repo),
      id: made.deployment.id,
      environment: d.environment,
      outcome: d.outcome,
    });
  }
  return { deployments, incidents_resolved: resolveIncidents(state.jira, body.incidents_resolved, at) };
}

/** `GET /_sim/truth/github/deployments`: every deployment of every repository (named as integrations are configured, a renamed one under its former name) with its statuses and outcome. */
export function registerDeliveryTruthRoutes(app: FastifyInstance, state: SimState): void {
  app.get('/_sim/truth/github/deployments', async () =>
    state.github.repos.flatMap((repo) =>
      state.deliveries.timeline(repo).map((d) => ({
        repository: configuredName(repo),
        id: d.deployment.id,
        environment: d.deployment.environment,
        created_at: githubTime(d.deployment.created),
        outcome: d.outcome,
        statuses: d.statuses.map((s) => ({ id: s.id, state: s.state, created_at: githubTime(s.created) })),
      })),
    ),
  );
}
