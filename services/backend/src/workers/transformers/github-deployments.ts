import { z } from 'zod';
import {
  defineTransformer,
  githubId,
  githubUser,
  loginOf,
  parseRaw,
  parseRepoUrl,
  requireRepository,
  row,
  timestamp,
} from './shared.ts';

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

export const githubDeploymentsTransformer = defineTransformer('github_deployments', (raw, context) => {
  const d = parseRaw(deploymentSchema, raw);
  const repository = requireRepository('repository_url', parseRepoUrl(d.repository_url), context);
  return [
    row('github_deployments', String(d.id), {
      repository,
      environment: d.environment ?? null,
      ref: d.ref ?? null,
      sha: d.sha ?? null,
      task: d.task ?? null,
      creator_login: loginOf(d.creator),
      created_at: d.created_at,
      updated_at: d.updated_at,
    }),
  ];
});
