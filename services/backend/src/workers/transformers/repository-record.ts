import type { z } from 'zod';
import type { EntityType } from '@tributary/contracts';
import { defineTransformer, parseRaw, parseRepoUrl, requireRepository, row } from './shared.ts';
import type { NormalizedRow, NormalizedTable, RawRecordContext, Transformer } from './types.ts';

/** An entity type whose rows go to the table of the same name (deployments, their statuses, releases). */
type SameNamedTable = EntityType & NormalizedTable;

/**
 * A transformer for a GitHub record that belongs to one repository and becomes one row keyed by
 * its numeric `id`: the record is parsed with `schema`; the repository is the one the extractor
 * fetched it for, else the one named by the record's own URL (`urlField`, e.g. `repository_url`);
 * `columns` gives the rest.
 */
export function defineRepositoryRecord<S extends z.ZodType<{ id: number }>>(options: {
  entityType: SameNamedTable;
  schema: S;
  urlField: string;
  urlOf: (record: z.output<S>) => string | null | undefined;
  columns: (record: z.output<S>, context: RawRecordContext) => Omit<NormalizedRow['columns'], 'repository'>;
}): Transformer {
  const { entityType, schema, urlField, urlOf, columns } = options;
  return defineTransformer(entityType, (raw, context) => {
    const record = parseRaw(schema, raw);
    const repository = requireRepository(urlField, parseRepoUrl(urlOf(record)), context);
    return [row(entityType, String(record.id), { repository, ...columns(record, context) })];
  });
}
