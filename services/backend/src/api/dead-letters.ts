import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { entityTypeSchema, idParamSchema } from '@tributary/contracts';
import { NotFoundError, UpstreamUnavailableError } from '../errors.ts';
import { discardDeadLetter } from '../db/discard-dead-letter.ts';
import { deadLetterAudit } from '../db/dead-letter-audit.ts';
import { withTransaction } from '@tributary/db';
import { recordDeadLetterAudit } from '../db/record-dead-letter-audit.ts';
import { selectDeadLetters, type DeadLetterFilter } from '../db/select-dead-letters.ts';
import { deadLetterView } from '../dead-letters/dead-letter-view.ts';
import { replayDeadLetters } from '../dead-letters/replay.ts';
import type { RouteContext } from './route-context.ts';

const filterFields = {
  entity_type: entityTypeSchema.optional(),
  integration_id: z.coerce.number().int().positive().optional(),
  /** Case-insensitive substring of the failure reason. */
  reason: z.string().min(1).max(500).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
};

const listQuerySchema = z.object({
  ...filterFields,
  status: z.enum(['dead', 'replayed', 'discarded']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before_id: z.coerce.number().int().positive().optional(),
});

const MAX_REPLAY = 1000;
const replayBodySchema = z
  .strictObject({
    ids: z.array(z.number().int().positive()).min(1).max(MAX_REPLAY).optional(),
    filter: z
      .strictObject({ ...filterFields, integration_id: z.number().int().positive().optional() })
      .optional(),
    /** Replay every dead letter visible to the caller (up to the limit). */
    all: z.literal(true).optional(),
    limit: z.number().int().min(1).max(MAX_REPLAY).default(MAX_REPLAY),
  })
  .refine((body) => [body.ids, body.filter, body.all].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of ids, filter or all',
  });

/** A tenant sees its own dead letters; the admin sees all (including unreadable ones with no tenant). */
function scope(request: FastifyRequest): { tenantId: number | null; actor: string } {
  const principal = request.principal;
  if (principal.kind === 'tenant')
    return { tenantId: principal.tenantId, actor: `tenant:${principal.tenantId}` };
  return { tenantId: null, actor: 'admin' };
}

export function registerDeadLetterRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/dead-letters',
    { config: { auth: 'tenant_or_admin' }, schema: { tags: ['dead-letters'], querystring: listQuerySchema } },
    async (request) => {
      const q = request.query;
      const rows = await selectDeadLetters(ctx.pool, {
        tenantId: scope(request).tenantId,
        entityType: q.entity_type,
        integrationId: q.integration_id,
        reason: q.reason,
        status: q.status,
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
        beforeId: q.before_id,
        limit: q.limit,
      });
      return { dead_letters: rows.map((row) => deadLetterView(row, false)) };
    },
  );

  r.get(
    '/api/v1/dead-letters/:id',
    { config: { auth: 'tenant_or_admin' }, schema: { tags: ['dead-letters'], params: idParamSchema } },
    async (request) => {
      const [row] = await selectDeadLetters(ctx.pool, {
        tenantId: scope(request).tenantId,
        ids: [request.params.id],
        limit: 1,
      });
      if (!row) throw new NotFoundError(`dead letter ${request.params.id}`);
      // The audit trail (who replayed or discarded it, when), shown by the dashboard beside the body.
      const audit = await deadLetterAudit(ctx.pool, row.id);
      return { ...deadLetterView(row, true), audit: audit.map((a) => ({ ...a, at: a.at.toISOString() })) };
    },
  );

  r.post(
    '/api/v1/dead-letters/replay',
    {
      config: { auth: 'tenant_or_admin' },
      schema: {
        tags: ['dead-letters'],
        summary:
          'Republish dead letters to their original routing key (same message id), then mark them replayed',
        body: replayBodySchema,
      },
    },
    async (request) => {
      const { tenantId, actor } = scope(request);
      const body = request.body;
      const filter: DeadLetterFilter = {
        tenantId,
        limit: body.limit,
        ids: body.ids,
        entityType: body.filter?.entity_type,
        integrationId: body.filter?.integration_id,
        reason: body.filter?.reason,
        since: body.filter?.since ? new Date(body.filter.since) : undefined,
        until: body.filter?.until ? new Date(body.filter.until) : undefined,
        // A filter or "all" means the letters still dead; explicit ids report the others as skipped.
        status: body.ids ? undefined : 'dead',
      };
      const queue = ctx.requireQueue();
      const { brokerUnavailable, ...result } = await replayDeadLetters(
        ctx.pool,
        queue.publisher,
        queue.connection.names.exchange,
        filter,
        actor,
      );
      if (brokerUnavailable && result.replayed.length === 0) {
        throw new UpstreamUnavailableError(
          'no dead letter replayed: message broker unavailable; they stay dead, try again',
          30,
        );
      }
      const found = new Set([...result.replayed, ...result.skipped.map((s) => s.id)]);
      for (const id of body.ids ?? []) if (!found.has(id)) result.skipped.push({ id, reason: 'not found' });
      request.log.info(
        { replayed: result.replayed.length, skipped: result.skipped.length, actor },
        'dead letters replayed',
      );
      return result;
    },
  );

  r.delete(
    '/api/v1/dead-letters/:id',
    { config: { auth: 'tenant_or_admin' }, schema: { tags: ['dead-letters'], params: idParamSchema } },
    async (request, reply) => {
      const { tenantId, actor } = scope(request);
      await withTransaction(ctx.pool, async (client) => {
        const [row] = await selectDeadLetters(client, { tenantId, ids: [request.params.id], limit: 1 }, true);
        if (!row) throw new NotFoundError(`dead letter ${request.params.id}`);
        await discardDeadLetter(client, row.id);
        await recordDeadLetterAudit(client, row.id, 'discard', actor, { previous_status: row.status });
      });
      return reply.status(204).send();
    },
  );
}
