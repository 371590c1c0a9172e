import { z } from 'zod';
import { githubId, githubUser, loginOf, timestamp } from './shared.ts';
import { defineRepositoryRecord } from './repository-record.ts';

/** A deployment from `GET /repos/{o}/{r}/deployments`. */
const deploymentSchema = z.looseObject({
  id: githubId,
  sha: z.string().nullish(),
  ref: z.string().nullish(),
  task: z.string().nullish(),
  environment: z.string().nullish(),
  creator: githubUser.nullish(),
  created_at: timestamp,
  updated_at: timestamp,
  repository_url: z.string().nullish(),
});

export const githubDeploymentsTransformer = defineRepositoryRecord({
  entityType: 'github_deployments',
  schema: deploymentSchema,
  urlField: 'repository_url',
  urlOf: (d) => d.repository_url,
  columns: (d) => ({
    environment: d.environment ?? null,
    ref: d.ref ?? null,
    sha: d.sha ?? null,
    task: d.task ?? null,
    creator_login: loginOf(d.creator),
    created_at: d.created_at,
    updated_at: d.updated_at,
  }),
});
