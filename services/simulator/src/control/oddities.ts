import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimState } from '../state.ts';

const body = z.object({ deep_issues: z.number().int().positive().max(1000) });

/**
 * `POST /_sim/jira/deepen { deep_issues: n }`: edits n issues so their description nests 300
 * levels deep (stamped with the simulator clock, so incremental runs fetch them). Answers their keys.
 */
export function registerOdditiesRoutes(app: FastifyInstance, state: SimState): void {
  app.post('/_sim/jira/deepen', async (request, reply) => {
    const parsed = body.safeParse(request.body ?? {});
    if (!parsed.success) return reply.code(400).send({ error: z.prettifyError(parsed.error) });
    return { issues: state.jira.deepen(parsed.data.deep_issues, state.config.now()) };
  });
}
