import { schema as published } from '@octokit/graphql-schema';
import { buildClientSchema } from 'graphql';
import type { GraphQLSchema, IntrospectionQuery } from 'graphql';

let cached: GraphQLSchema | undefined;

/**
 * GitHub's published schema (`@octokit/graphql-schema`), built once per process. The package's
 * SDL has duplicate definitions graphql-js refuses, so its introspection JSON is used, as the
 * package's own `validate` does. Our resolvers answer over it: a field GitHub lacks cannot be asked.
 */
export function githubSchema(): GraphQLSchema {
  // The package ships the introspection result of api.github.com; its type is a loose JSON map.
  cached ??= buildClientSchema(published.json as unknown as IntrospectionQuery);
  return cached;
}
