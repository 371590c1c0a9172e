import { z } from 'zod';
import type { RawRecordContext, Transformer } from './types.ts';

/** GitHub's GraphQL `fullDatabaseId` (BigInt, sent as a string) or the older `databaseId` (Int): the REST id, as text. */
export const graphqlDatabaseId = z
  .union([z.string().regex(/^\d+$/, 'expected a numeric id'), z.number().int()])
  .transform(String);

/** An `Actor` (`{ login }`); null for deleted accounts. */
export const graphqlActor = z.looseObject({ login: z.string().nullish() }).nullish();

export function actorLogin(actor: z.output<typeof graphqlActor>): string | null {
  return actor?.login ?? null;
}

/** A parsed instant back to the ISO text REST sends, for handing a restated record to a REST transformer. */
export function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/** REST's simple user for a login (null: no account). */
export function restUser(login: string | null): { login: string } | null {
  return login === null ? null : { login };
}

/** Whether the extractor read this record from GitHub's GraphQL API (`extraction_metadata.api`). */
export function isGraphqlRecord(context: RawRecordContext): boolean {
  return context.metadata.api === 'graphql';
}

/**
 * One entity type, two wire shapes: REST records go to `rest`, GraphQL nodes to `graphql`, and
 * both yield the same normalized rows, so the API that fetched a record does not show in the tables.
 */
export function byApi(rest: Transformer, graphql: Transformer): Transformer {
  return {
    entityType: rest.entityType,
    transform: (raw, context) =>
      isGraphqlRecord(context) ? graphql.transform(raw, context) : rest.transform(raw, context),
  };
}
