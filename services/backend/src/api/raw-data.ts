import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { rawBatchBodySchema, rawBatchResultSchema, rawRecordSchema, type RawRecord } from '@tributary/contracts';
import { tenantOf } from '../plugins/auth.ts';
import { NotFoundError } from '../errors.ts';
import { liveIntegrationIds, storeRawBatch, type RawRecordToStore } from '../db/raw-data.ts';
import type { RouteContext } from './route-context.ts';
import { recordSeenIssues } from '../flow/issue-sightings.ts';

/** 1000 records of a few KB each, with room for the odd large issue. */
export const RAW_BODY_LIMIT = 32 * 1024 * 1024;

/** What identifies a version of an entity: its content, exactly as the source sent it. */
export function contentHash(rawJson: string): string {
  return createHash('sha256').update(rawJson).digest('hex');
}

export function registerRawDataRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const store = async (tenantId: number, records: readonly RawRecord[]) => {
    const ids = [...new Set(records.map((record) => record.integration_id))];
    const live = await liveIntegrationIds(ctx.pool, tenantId, ids);
    const missing = records.flatMap((record, index) =>
      live.has(record.integration_id)
        ? []
        : [{ path: `records.${index}.integration_id`, message: `integration ${record.integration_id} not found` }],
    );
    if (missing[0]) throw new NotFoundError(missing[0].message.replace(/ not found$/, ''), missing);
    const toStore: RawRecordToStore[] = records.map((record) => {
      const rawJson = JSON.stringify(record.raw_data);
      return {
        integration_id: record.integration_id,
        entity_type: record.entity_type,
        external_id: record.external_id,
        raw_json: rawJson,
        extraction_metadata: record.extraction_metadata,
        content_hash: contentHash(rawJson),
        job_id: record.job_id ?? null,
      };
    });
    const stored = await storeRawBatch(ctx.pool, tenantId, toStore);
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
        response: { 200: z.object({ record_id: z.number(), unchanged: z.boolean() }) },
      },
    },
    async (request) => {
      const [stored] = await store(tenantOf(request), [request.body]);
      return stored!;
    },
  );
}
