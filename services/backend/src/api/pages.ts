import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idParamSchema, pageBodySchema, pageResultSchema } from '@tributary/contracts';
import { tenantOf } from '../plugins/auth.ts';
import { storePage } from '../raw/store-page.ts';
import { publishOutboxRows } from '../outbox/publish-outbox.ts';
import { releaseOutboxClaims } from '../db/release-outbox-claims.ts';
import type { RouteContext } from './route-context.ts';
import { RAW_BODY_LIMIT } from './raw-data.ts';

/**
 * The extractor's one call per source page. The answer waits for the transform publish (bounded
 * by OUTBOX_PUBLISH_TIMEOUT_MS) so a healthy broker gives the extractor back-pressure; a failed or
 * late publish does not fail the call: the page is committed, and the outbox relay publishes it.
 */
export function registerPageRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/internal/v1/jobs/:id/pages',
    {
      bodyLimit: RAW_BODY_LIMIT,
      config: { auth: 'service' },
      schema: {
        tags: ['internal'],
        summary:
          'Store one source page: raw records, outbox rows, the stream cursor and progress in one transaction',
        description:
          'Answers one entry per record, in order (as the raw-data batch API: `{ record_id, unchanged }` or ' +
          "`{ external_id, error }`), and the stream's progress after the page. A body over the size limit answers 413 " +
          '(PAYLOAD_TOO_LARGE): send the page in parts, the checkpoint on the last. The job must be RUNNING or PAUSED.',
        params: idParamSchema,
        body: pageBodySchema,
        response: { 200: pageResultSchema },
      },
    },
    async (request) => {
      const tenantId = tenantOf(request);
      const stored = await storePage(
        ctx.pool,
        tenantId,
        request.params.id,
        request.body,
        ctx.config.OUTBOX_CLAIM_SECONDS,
      );
      if (stored.outbox.length > 0) {
        const queue = await connectedQueue(ctx);
        if (queue) {
          await publishOutboxRows(ctx.pool, queue.publisher, stored.outbox, {
            timeoutMs: ctx.config.OUTBOX_PUBLISH_TIMEOUT_MS,
            logger: request.log,
          });
        } else {
          await releaseOutboxClaims(
            ctx.pool,
            stored.outbox.map((row) => row.raw_id),
          );
        }
      }
      return { records: stored.results, progress: stored.progress };
    },
  );
}

/** How long a pages call waits for a broker connection still being made (at start) before leaving its rows to the relay. */
const CONNECT_GRACE_MS = 1000;

/**
 * The broker, if it is connected or connects within a moment. A broker known down is not waited
 * for page after page: the relay publishes what was stored meanwhile once it is back.
 */
async function connectedQueue(
  ctx: RouteContext,
): Promise<ReturnType<RouteContext['requireQueue']> | undefined> {
  let queue;
  try {
    queue = ctx.requireQueue();
  } catch {
    return undefined;
  }
  if (queue.connection.isConnected) return queue;
  const connected = await queue.connection.ready(CONNECT_GRACE_MS).then(
    () => true,
    () => false,
  );
  return connected ? queue : undefined;
}
