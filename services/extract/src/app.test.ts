import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '@tributary/simulator';
import { freePort } from '../../../scripts/stack.ts';
import { like } from '../../../tests/support/matchers.ts';
import { EXTRACT_TOKEN } from '../../../tests/support/backend.ts';
import { startTestExtract, type TestExtract } from '../../../tests/security/support.ts';

let sim: Awaited<ReturnType<typeof startSimulator>>;
let projectKey: string;
let extract: TestExtract;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, jira: { projects: 1, issues: 5 }, github: { repos: 1, prs: 2 } });
  const truth = (await (await fetch(`${sim.url}/_sim/truth/summary`)).json()) as {
    jira: { projects: string[] };
  };
  projectKey = truth.jira.projects[0]!;
  // Private hosts allowed: the simulator listens on loopback.
  extract = await startTestExtract({ allowPrivateHosts: true });
});
afterAll(async () => {
  await extract.close();
  await sim.close();
});

const test = (body: unknown, token = EXTRACT_TOKEN) =>
  extract.app.inject({
    method: 'POST',
    url: '/internal/connection-test',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

const jira = () => ({
  id: 1,
  type: 'jira',
  base_url: sim.url,
  credentials: { email: 'sim@example.com', api_token: 'sim-token' },
  config: { projects: [projectKey] },
});

describe('POST /internal/connection-test', () => {
  it('reaches the source with the given credentials', async () => {
    expect((await test(jira())).json()).toEqual({ ok: true });
  });

  it('checks every configured repository and names each one that cannot be read', async () => {
    const github = await test({
      id: 2,
      type: 'github',
      base_url: sim.url,
      credentials: { token: 'sim-github-token' },
      config: { repositories: ['nobody/missing', 'nobody/gone'] },
    });
    expect(github.json()).toEqual({
      ok: false,
      code: 'CONFIG_INVALID',
      error:
        'github: github repositories that cannot be read: nobody/missing (not found, or not visible to this token); nobody/gone (not found, or not visible to this token)',
    });
  });

  it('checks every configured Jira project key and names the missing ones', async () => {
    const answer = await test({ ...jira(), config: { projects: [projectKey, 'NOPE', 'ZZZ'] } });
    expect(answer.json()).toEqual({
      ok: false,
      code: 'CONFIG_INVALID',
      error:
        'jira: jira projects that do not exist or are not visible to this user: NOPE (not found); ZZZ (not found)',
    });
  });

  it('runs a JQL scope once, so a query Jira refuses fails the test in Jira’s words', async () => {
    const answer = await test({ ...jira(), config: { jql: 'assignee = currentUser()' } });
    expect(answer.json()).toMatchObject({
      ok: false,
      code: 'CONFIG_INVALID',
      error: like("Field 'assignee' does not exist"),
    });
  });

  it('reports rejected credentials by their source, without the secret', async () => {
    const answer = await test({
      ...jira(),
      credentials: { email: 'sim@example.com', api_token: 'wrong-token-123' },
    });
    const body = answer.json<{ ok: boolean; code: string; error: string }>();
    expect(body).toMatchObject({
      ok: false,
      code: 'CREDENTIALS_REJECTED',
      error: like(/^credentials rejected by jira \(HTTP 401\)/),
    });
    expect(body.error).not.toContain('wrong-token-123');
  });

  it('an unreachable host answers SOURCE_UNREACHABLE, by category only (the test is not a port scanner)', async () => {
    const port = await freePort();
    const answer = await test({ ...jira(), base_url: `http://127.0.0.1:${port}` });
    expect(answer.json()).toEqual({
      ok: false,
      code: 'SOURCE_UNREACHABLE',
      error: 'unreachable: the source did not answer as a Jira or GitHub API',
    });
  });

  it('answers 401 without the service token and 400 naming the field for a bad body', async () => {
    expect((await test(jira(), 'not-the-token')).statusCode).toBe(401);
    const missing = await test({ ...jira(), base_url: undefined });
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ error: { message: string } }>().error.message).toContain('base_url');
    const wrongType = await test({ ...jira(), type: 'gitlab' });
    expect(wrongType.json<{ error: { message: string } }>().error.message).toContain('type');
    const badCredentials = await test({ ...jira(), credentials: { email: 42, api_token: 'x' } });
    expect(badCredentials.statusCode).toBe(400);
    expect(badCredentials.json<{ error: { message: string } }>().error.message).toContain(
      'credentials.email',
    );
    const badConfig = await test({ ...jira(), config: { projects: 'A' } });
    expect(badConfig.statusCode).toBe(400);
    const malformed = await extract.app.inject({
      method: 'POST',
      url: '/internal/connection-test',
      headers: { authorization: `Bearer ${EXTRACT_TOKEN}`, 'content-type': 'application/json' },
      payload: '{"id": 1,',
    });
    expect(malformed.statusCode).toBe(400);
  });
});
