import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  rawBatchBodySchema,
  rawBatchResultSchema,
  rawRecordSchema,
  type RawRecord,
} from '@tributary/contracts';
import { tenantOf } from '../plugins/auth.ts';
import { AppError, NotFoundError } from '../errors.ts';
import { liveIntegrationIds } from '../db/raw-data.ts';
import { storeRawRecords } from '../raw/store-raw-records.ts';
import type { RouteContext } from './route-context.ts';
import { assertRawBatchScope } from '../security/job-scope.ts';
import { recordSeenIssues } from '../db/record-seen-issues.ts';

/** 1000 records of a few KB each, with room for the odd large issue. */
export const RAW_BODY_LIMIT = 32 * 1024 * 1024;

export { contentHash } from '../raw/store-raw-records.ts';

export function registerRawDataRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const store = async (tenantId: number, records: readonly RawRecord[]) => {
    const ids = [...new Set(records.map((record) => record.integration_id))];
    const live = await liveIntegrationIds(ctx.pool, tenantId, ids);
    const missing = records.flatMap((record, index) =>
      live.has(record.integration_id)
        ? []
        : [
            {
              path: `records.${index}.integration_id`,
              message: `integration ${record.integration_id} not found`,
            },
          ],
    );
    if (missing[0]) throw new NotFoundError(missing[0].message.replace(/ not found$/, ''), missing);
    await assertRawBatchScope(ctx.pool, tenantId, records);
    // Claimed like a page's rows, but this lower-level route does not publish them (its callers —
    // tools, tests — do): the outbox relay publishes any left unconfirmed once the claim runs out.
    const stored = await storeRawRecords(ctx.pool, tenantId, records, {
      claimSeconds: ctx.config.OUTBOX_CLAIM_SECONDS,
    });
    await recordSeenIssues(ctx.pool, tenantId, records);
    return stored;
  };

  r.post(
    '/api/v1/etl/raw-data/batch',
    {
      bodyLimit: RAW_BODY_LIMIT,
      config: { auth: 'service' },
      schema: {
        tags: ['raw-data'],
        summary: 'Store up to 1000 raw records in one insert; identical content is not stored twice',
        description:
          'Answers one entry per record, in order: `{ record_id, unchanged }`, or `{ external_id, error: { code, message } }` for a ' +
          'record the raw layer cannot hold (RECORD_TOO_DEEP, RECORD_TOO_LARGE, UNSUPPORTED_TEXT, REFUSED_BY_DATABASE). A refused ' +
          'record is counted on its job (`records_failed`, `progress.refused_records`) and archived as a dead letter; the rest is stored. ' +
          'U+0000 in text is kept losslessly (escaped, pointers in `extraction_metadata.nul_escaped`).',
        body: rawBatchBodySchema,
        response: { 200: rawBatchResultSchema },
      },
    },
    async (request) => ({ records: await store(tenantOf(request), request.body.records) }),
  );

  r.post(
    '/api/v1/etl/raw-data/store',
    {
      bodyLimit: RAW_BODY_LIMIT,
      config: { auth: 'service' },
      schema: {
        tags: ['raw-data'],
        body: rawRecordSchema,
        description:
          'A record the raw layer cannot hold answers 422 with its reason (and is archived as a dead letter).',
        response: { 200: z.object({ record_id: z.number(), unchanged: z.boolean() }) },
      },
    },
    async (request) => {
      const [stored] = await store(tenantOf(request), [request.body]);
      if (!stored || 'error' in stored) {
        throw new AppError(
          422,
          stored?.error.code ?? 'RECORD_REFUSED',
          stored?.error.message ?? 'record refused',
        );
      }
      return stored;
    },
  );
}
