import { z } from 'zod';
import { TransformError } from './types.ts';
import { githubId, githubUser, loginOf, optionalTimestamp, timestamp } from './shared.ts';
import { defineRepositoryRecord } from './repository-record.ts';

/** A status from `GET /repos/{o}/{r}/deployments/{id}/statuses`. */
const deploymentStatusSchema = z.looseObject({
  id: githubId,
  state: z.string().min(1),
  creator: githubUser.nullish(),
  description: z.string().nullish(),
  environment: z.string().nullish(),
  created_at: timestamp,
  updated_at: optionalTimestamp,
  deployment_url: z.string().nullish(),
  repository_url: z.string().nullish(),
});

const DEPLOYMENT_URL = /\/deployments\/(\d+)(?:[/?#]|$)/;

/** The deployment id from `deployment_url`, else the `deployment_id` the extractor fetched it for. */
function deploymentIdOf(url: string | null | undefined, metadata: Record<string, unknown>): string {
  const m = url ? DEPLOYMENT_URL.exec(url) : null;
  if (m?.[1]) return m[1];
  const fromRequest = metadata.deployment_id;
  if (typeof fromRequest === 'number' && Number.isSafeInteger(fromRequest)) return String(fromRequest);
  if (typeof fromRequest === 'string' && /^\d+$/.test(fromRequest)) return fromRequest;
  throw new TransformError(
    'deployment_url',
    'no deployment: not in the record and no metadata.deployment_id',
  );
}

export const githubDeploymentStatusesTransformer = defineRepositoryRecord({
  entityType: 'github_deployment_statuses',
  schema: deploymentStatusSchema,
  // A status names its repository in repository_url, or at least inside its deployment_url.
  urlField: 'repository_url',
  urlOf: (s) => s.repository_url ?? s.deployment_url,
  columns: (s, context) => ({
    deployment_external_id: deploymentIdOf(s.deployment_url, context.metadata),
    state: s.state,
    environment: s.environment ?? null,
    description: s.description ?? null,
    creator_login: loginOf(s.creator),
    created_at: s.created_at,
    updated_at: s.updated_at,
  }),
});
