import { z } from 'zod';
import { ENTITY_TYPES, SOURCES, STREAMS } from './entity-names.ts';

export { ENTITY_TYPES, SOURCES, STREAMS };

export const entityTypeSchema = z.enum(ENTITY_TYPES);
export type EntityType = z.infer<typeof entityTypeSchema>;

export const sourceSchema = z.enum(SOURCES);
export type Source = z.infer<typeof sourceSchema>;

/** The source an entity type belongs to, read off its prefix. */
export function sourceOf(entityType: EntityType): Source {
  return entityType.startsWith('jira_') ? 'jira' : 'github';
}

export const streamNameSchema = z.enum([...STREAMS.jira, ...STREAMS.github]);
export type StreamName = z.infer<typeof streamNameSchema>;
