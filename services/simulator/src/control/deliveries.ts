import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimState } from '../state.ts';
import { githubTime } from '../data/time.ts';
import { openIncident, resolveIncidents } from '../jira/incidents.ts';
import { configuredName } from '../github/model.ts';

/** The analytics part of `POST /_sim/advance`: new deployments with a chosen outcome, incidents opened and resolved. */
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
  /**
   * New incident issues (type Incident), each created at `created_at` (default: now) and resolved
   * at `resolved_at` (default: still open). Both at most now: an incident reported after the fact
   * may be dated back, one cannot be dated ahead.
   */
  incidents_opened: z
    .array(
      z.object({
        created_at: z.iso.datetime({ offset: true }).optional(),
        resolved_at: z.iso.datetime({ offset: true }).nullable().default(null),
        labels: z.array(z.string().min(1).regex(/^\S+$/, 'a Jira label has no spaces')).optional(),
      }),
    )
    .default([]),
});
export type AdvanceDeliveriesBody = z.infer<typeof advanceDeliveriesBody>;

export interface AdvanceDeliveriesResult {
  deployments: Array<{ repository: string; id: number; environment: string; outcome: string }>;
  incidents_resolved: string[];
  /** The keys of the incidents opened, in the order asked. */
  incidents_opened: string[];
}

/** Applies the analytics edits at `at`; an unknown repository is a 400 for the caller. */
export function advanceDeliveries(
  state: SimState,
  body: AdvanceDeliveriesBody,
  at: number,
): AdvanceDeliveriesResult | { error: string } {
  // Checked before any edit, so a refused call changes nothing.
  const opened: Array<{ created: number; resolved: number | null; labels?: string[] }> = [];
  for (const [k, incident] of body.incidents_opened.entries()) {
    const created = incident.created_at === undefined ? at : Date.parse(incident.created_at);
    const resolved = incident.resolved_at === null ? null : Date.parse(incident.resolved_at);
    if (created > at) return { error: `incidents_opened[${k}]: created_at is after the simulator's now` };
    if (resolved !== null && (resolved <= created || resolved > at)) {
      return { error: `incidents_opened[${k}]: resolved_at must be after created_at and not after now` };
    }
    opened.push({ created, resolved, labels: incident.labels });
  }
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
  // Resolved first, so an incident opened by this same call stays as asked.
  const resolvedKeys = resolveIncidents(state.jira, body.incidents_resolved, at);
  return {
    deployments,
    incidents_resolved: resolvedKeys,
    incidents_opened: opened.map((incident) => openIncident(state.jira, incident, at)),
  };
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
