import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../testing.ts';
import type { RunningSimulator } from '../testing.ts';
import type { TruthSummary } from '../control/truth.ts';

// GitHub's own OpenAPI description (@octokit/openapi) is the reference the simulator is held to:
// every response shape it serves must validate against the documented response schema, so the
// simulator (and the tests that trust it) cannot drift from the real API. Ajv is used because the
// schemas are plain JSON Schema with OpenAPI 3.0's `nullable`, which Ajv understands natively.

interface OpenApiResponse {
  $ref?: string;
  content?: Record<string, { schema?: unknown }>;
}
interface OpenApiDocument {
  paths: Record<string, { get?: { responses: Record<string, OpenApiResponse> } }>;
  components: { responses?: Record<string, OpenApiResponse> } & Record<string, unknown>;
}

const require = createRequire(import.meta.url);
const spec = JSON.parse(
  readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.json'), 'utf8'),
) as OpenApiDocument;

/**
 * OpenAPI 3.0 puts `nullable: true` beside `allOf` / `$ref` too, where JSON Schema (and Ajv) need
 * a type: those become `anyOf: [schema, { type: 'null' }]`. Everything else is left as documented.
 */
function jsonSchemaOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(jsonSchemaOf);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node))
    out[key] = key === 'example' || key === 'examples' ? value : jsonSchemaOf(value);
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _nullable, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

// strict off: the description carries OpenAPI-only keywords (example, x-github, discriminator…).
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
// A CommonJS module: its default export is the module object, whose `default` is the plugin.
addFormats.default(ajv);
ajv.addSchema({ components: jsonSchemaOf(spec.components) }, 'github');

const validators = new Map<string, ValidateFunction>();
/** The validator for `GET path` answering `status`, with `#/components` refs resolved in the spec. */
function validatorFor(path: string, status: string): ValidateFunction {
  const key = `${path} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    let response = spec.paths[path]?.get?.responses[status];
    // Shared answers (404 and friends) are references into #/components/responses.
    if (response?.$ref)
      response = spec.components.responses?.[response.$ref.replace('#/components/responses/', '')];
    const schema = response?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`no documented ${status} schema for GET ${path}`);
    const rebased = JSON.parse(
      JSON.stringify(jsonSchemaOf(schema)).replaceAll('"#/components/', '"github#/components/'),
    ) as object;
    validate = ajv.compile(rebased);
    validators.set(key, validate);
  }
  return validate;
}

let sim: RunningSimulator;
let summary: TruthSummary;
// Every GitHub GET route the simulator serves, and those a test validated, as `/repos/*/*/pulls/*`.
const served = new Set<string>();
const validated = new Set<string>();
const shapeOf = (path: string): string => path.replace(/\{[^}]+\}|:[A-Za-z_]+/g, '*');
const GITHUB_API = /^\/(repos|user|users|orgs|rate_limit|graphql)(\/|$)/;

beforeAll(async () => {
  sim = await startSimulator(
    { seed: 21, jira: { projects: 1, issues: 5 }, github: { repos: 3, prs: 60 } },
    (app) => {
      app.addHook('onRoute', (route) => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        if (methods.includes('GET') && GITHUB_API.test(route.url)) served.add(shapeOf(route.url));
      });
    },
  );
  summary = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
});
afterAll(async () => {
  await sim.close();
});

async function expectShape(url: string, documented: string, status = '200'): Promise<unknown> {
  const res = await sim.github(url);
  expect(String(res.status), url).toBe(status);
  const body: unknown = await res.json();
  const validate = validatorFor(documented, status);
  validated.add(shapeOf(documented));
  const ok = validate(body);
  expect(
    ok ? [] : (validate.errors ?? []).slice(0, 40).map((e) => `${e.instancePath} ${e.message ?? ''}`),
    url,
  ).toEqual([]);
  return body;
}

describe('every GitHub response the simulator serves matches GitHub’s OpenAPI description', () => {
  it('user, repositories (renamed one included), deployments (one by id, its statuses) and releases', async () => {
    await expectShape('/user', '/user');
    for (const repo of summary.github.repositories) {
      await expectShape(`/repos/${repo}`, '/repos/{owner}/{repo}');
      const deployments = (await expectShape(
        `/repos/${repo}/deployments?per_page=100`,
        '/repos/{owner}/{repo}/deployments',
      )) as { id: number }[];
      for (const { id } of deployments.slice(0, 5)) {
        await expectShape(
          `/repos/${repo}/deployments/${id}`,
          '/repos/{owner}/{repo}/deployments/{deployment_id}',
        );
        const statuses = (await expectShape(
          `/repos/${repo}/deployments/${id}/statuses?per_page=100`,
          '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
        )) as unknown[];
        expect(statuses.length, `${repo} deployment ${id} statuses`).toBeGreaterThan(0);
      }
      await expectShape(`/repos/${repo}/releases?per_page=100`, '/repos/{owner}/{repo}/releases');
    }
    await expectShape('/repos/tributary-sim/does-not-exist', '/repos/{owner}/{repo}', '404');
  });

  it('pull request lists and details, reviews, review comments and commits (rebased, shared)', async () => {
    for (const repo of summary.github.repositories) {
      const pulls = (await expectShape(
        `/repos/${repo}/pulls?state=all&per_page=100`,
        '/repos/{owner}/{repo}/pulls',
      )) as { number: number }[];
      expect(pulls.length).toBeGreaterThan(0);
      for (const { number } of pulls) {
        await expectShape(`/repos/${repo}/pulls/${number}`, '/repos/{owner}/{repo}/pulls/{pull_number}');
        await expectShape(
          `/repos/${repo}/pulls/${number}/reviews?per_page=100`,
          '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
        );
        await expectShape(
          `/repos/${repo}/pulls/${number}/comments?per_page=100`,
          '/repos/{owner}/{repo}/pulls/{pull_number}/comments',
        );
        await expectShape(
          `/repos/${repo}/pulls/${number}/commits?per_page=100`,
          '/repos/{owner}/{repo}/pulls/{pull_number}/commits',
        );
      }
    }
  });

  it('rate limit', async () => {
    await expectShape('/rate_limit', '/rate_limit');
  });

  // Runs last: a GitHub route added to the simulator without a case here fails, so nothing it serves goes unchecked.
  it('no GitHub route the simulator serves is left unvalidated', () => {
    expect([...served].filter((route) => !validated.has(route)).sort()).toEqual([]);
    expect(served.size).toBeGreaterThanOrEqual(8);
  });

  it('the validator itself rejects a shape GitHub does not send', () => {
    const validate = validatorFor('/repos/{owner}/{repo}/pulls/{pull_number}/commits', '200');
    expect(validate([{ sha: 'abc', commit: { author: { date: 1700000000000 } } }])).toBe(false);
  });
});
