import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../testing.ts';
import type { RunningSimulator } from '../testing.ts';
import type { AdvanceResult, TruthSummary } from '../control/truth.ts';

interface TruthDeployment {
  repository: string;
  id: number;
  environment: string;
  outcome: string;
  statuses: Array<{ id: number; state: string; created_at: string }>;
}

let sim: RunningSimulator;
let repos: string[];
let clock = Date.UTC(2026, 0, 10);

beforeAll(async () => {
  sim = await startSimulator({
    seed: 5,
    now: () => clock,
    jira: { projects: 1, issues: 200 },
    github: { repos: 2, prs: 60 },
  });
  repos = (await sim.control<TruthSummary>('GET', '/_sim/truth/summary')).github.repositories;
});
afterAll(async () => {
  await sim.close();
});

const get = async <T>(path: string): Promise<T> => {
  const res = await sim.github(path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};

describe('deployments and their statuses', () => {
  it('lists statuses newest first: queued → in_progress → an outcome, older successes retired as inactive', async () => {
    const truth = await sim.control<TruthDeployment[]>('GET', '/_sim/truth/github/deployments');
    expect(new Set(truth.map((d) => d.outcome))).toEqual(new Set(['success', 'failure', 'error']));
    for (const d of truth) {
      expect(d.statuses.slice(0, 3).map((s) => s.state)).toEqual(['queued', 'in_progress', d.outcome]);
    }
    // auto_inactive applies to environments not flagged production (here `prod` and staging), never to `production`.
    const retired = truth.filter((d) => d.statuses.some((s) => s.state === 'inactive'));
    expect(retired.length).toBeGreaterThan(0);
    expect(retired.every((d) => d.outcome === 'success' && d.environment !== 'production')).toBe(true);
    expect(new Set(truth.map((d) => d.environment))).toContain('prod');

    const sample = retired[0]!;
    const wire = await get<
      Array<{ id: number; state: string; deployment_url: string; repository_url: string }>
    >(`/repos/${sample.repository}/deployments/${sample.id}/statuses`);
    expect(wire.map((s) => s.state)).toEqual([...sample.statuses].reverse().map((s) => s.state));
    expect(wire[0]?.deployment_url).toMatch(
      new RegExp(`/repos/${sample.repository}/deployments/${sample.id}$`),
    );
    expect(wire[0]?.repository_url).toMatch(new RegExp(`/repos/${sample.repository}$`));
  });

  it('opens incidents (issue type Incident) minutes to hours after production deployments succeed', async () => {
    const truth = await sim.control<TruthDeployment[]>('GET', '/_sim/truth/github/deployments');
    const successes = truth
      .filter((d) => ['production', 'prod'].includes(d.environment))
      .flatMap((d) => d.statuses.filter((s) => s.state === 'success').map((s) => Date.parse(s.created_at)));
    const keys = (await sim.control<Array<{ key: string }>>('GET', '/_sim/truth/jira/issues')).map(
      (i) => i.key,
    );
    const issues = await Promise.all(
      keys.map((k) =>
        sim.control<{
          fields: { issuetype: { name: string }; created: string; resolutiondate: string | null };
        }>('GET', `/_sim/truth/jira/issues/${k}`),
      ),
    );
    const incidents = issues.filter((i) => i.fields.issuetype.name === 'Incident');
    const afterDeploy = incidents.filter((i) => {
      const created = Date.parse(i.fields.created);
      return successes.some((s) => created - s >= 10 * 60_000 && created - s <= 4 * 3_600_000);
    });
    expect(afterDeploy.length).toBeGreaterThan(2);
    for (const i of afterDeploy.filter((x) => x.fields.resolutiondate !== null)) {
      expect(Date.parse(i.fields.resolutiondate!)).toBeGreaterThan(Date.parse(i.fields.created));
    }
  });

  it('answers 404 for a deployment that does not exist', async () => {
    const res = await sim.github(`/repos/${repos[0]}/deployments/1/statuses`);
    expect(res.status).toBe(404);
  });

  it('advance adds a failed deployment at the clock and resolves open incidents', async () => {
    clock += 60_000;
    const before = await sim.control<TruthDeployment[]>('GET', '/_sim/truth/github/deployments');
    const result = await sim.control<AdvanceResult>('POST', '/_sim/advance', {
      deployments: [{ repository: repos[0], outcome: 'failure' }],
      incidents_resolved: 1,
    });
    expect(result.deployments.map(({ id: _id, ...rest }) => rest)).toEqual([
      { repository: repos[0], environment: 'production', outcome: 'failure' },
    ]);
    expect(result.deployments[0]?.id).toBeGreaterThan(0);
    const after = await sim.control<TruthDeployment[]>('GET', '/_sim/truth/github/deployments');
    expect(after.length).toBe(before.length + 1);
    const listed = await get<Array<{ id: number; created_at: string }>>(
      `/repos/${repos[0]}/deployments?per_page=1`,
    );
    expect(listed[0]).toMatchObject({
      id: result.deployments[0]!.id,
      created_at: new Date(clock).toISOString().replace('.000', ''),
    });

    expect(result.incidents_resolved).toHaveLength(1);
    const key = result.incidents_resolved[0]!;
    const issue = await sim.control<{
      fields: { issuetype: { name: string }; status: { name: string }; resolutiondate: string | null };
    }>('GET', `/_sim/truth/jira/issues/${key}`);
    expect(issue.fields.issuetype.name).toBe('Incident');
    expect(issue.fields.status.name).toBe('Done');
    expect(issue.fields.resolutiondate).not.toBeNull();
  });

  it('advance opens new incident issues that search (updated bounds), changelog and the truth serve', async () => {
    clock += 3_600_000;
    const jiraTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
    const before = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
    const listedBefore = await sim.control<Array<{ key: string }>>('GET', '/_sim/truth/jira/issues');
    const created = clock - 3 * 3_600_000;
    const resolved = clock - 3_600_000;
    const result = await sim.control<AdvanceResult>('POST', '/_sim/advance', {
      incidents_opened: [
        { created_at: new Date(created).toISOString(), resolved_at: new Date(resolved).toISOString() },
        { labels: ['sev1'] },
      ],
    });
    expect(result.incidents_opened).toHaveLength(2);
    const [past, open] = result.incidents_opened as [string, string];
    expect(listedBefore.map((i) => i.key)).not.toContain(past);
    expect(listedBefore.map((i) => i.key)).not.toContain(open);
    const after = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
    expect(after.jira.issues).toBe(before.jira.issues + 2);
    // Two status moves for the resolved one, none yet for the one opened now.
    expect(after.jira.transitions).toBe(before.jira.transitions + 2);

    type Issue = {
      key: string;
      fields: {
        issuetype: { name: string };
        status: { name: string };
        created: string;
        updated: string;
        resolutiondate: string | null;
        labels: string[];
      };
    };
    const truthOf = (key: string) => sim.control<Issue>('GET', `/_sim/truth/jira/issues/${key}`);
    expect((await truthOf(past)).fields).toMatchObject({
      issuetype: { name: 'Incident' },
      status: { name: 'Done' },
      created: jiraTime(created),
      resolutiondate: jiraTime(resolved),
      // Dated back, but changed now: an incremental sync finds it.
      updated: jiraTime(clock),
    });
    expect((await truthOf(open)).fields).toMatchObject({
      issuetype: { name: 'Incident' },
      status: { name: 'To Do' },
      created: jiraTime(clock),
      resolutiondate: null,
      labels: ['sev1'],
    });

    const minute = new Date(clock).toISOString().slice(0, 16).replace('T', ' ');
    const search = await sim.jira(
      `/rest/api/3/search/jql?${new URLSearchParams({
        jql: `project in (${after.jira.projects.join(',')}) AND updated >= "${minute}" ORDER BY updated ASC`,
        fields: 'issuetype,created,resolutiondate',
      }).toString()}`,
    );
    expect(search.status).toBe(200);
    const found = (await search.json()) as { issues: Issue[] };
    expect(found.issues.map((i) => i.key).sort()).toEqual([past, open].sort());

    const changelog = await sim.jira('/rest/api/3/changelog/bulkfetch', {
      method: 'POST',
      body: JSON.stringify({ issueIdsOrKeys: [past] }),
    });
    expect(changelog.status).toBe(200);
    const logs = (await changelog.json()) as {
      issueChangeLogs: Array<{
        changeHistories: Array<{ created: string; items: Array<{ fromString: string; toString: string }> }>;
      }>;
    };
    const histories = logs.issueChangeLogs.flatMap((l) => l.changeHistories);
    expect(histories.map((h) => h.items.map((i) => `${i.fromString} → ${i.toString}`))).toEqual([
      ['To Do → In Progress'],
      ['In Progress → Done'],
    ]);
    expect(histories.at(-1)?.created).toBe(jiraTime(resolved));
  });

  it('refuses an incident dated after now, or resolved before it was created, and changes nothing', async () => {
    const before = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
    for (const [incident, error] of [
      [
        { created_at: new Date(clock + 60_000).toISOString() },
        "incidents_opened[0]: created_at is after the simulator's now",
      ],
      [
        {
          created_at: new Date(clock - 60_000).toISOString(),
          resolved_at: new Date(clock - 120_000).toISOString(),
        },
        'incidents_opened[0]: resolved_at must be after created_at and not after now',
      ],
    ] as const) {
      const res = await fetch(`${sim.url}/_sim/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          deployments: [{ repository: repos[0], outcome: 'success' }],
          incidents_opened: [incident],
        }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error });
    }
    const after = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
    expect(after.jira.issues).toBe(before.jira.issues);
    const deployments = await sim.control<TruthDeployment[]>('GET', '/_sim/truth/github/deployments');
    expect(deployments.filter((d) => d.repository === repos[0]).at(-1)?.outcome).toBe('failure');
  });

  it('refuses an advance naming an unknown repository', async () => {
    const res = await fetch(`${sim.url}/_sim/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deployments: [{ repository: 'nobody/nothing', outcome: 'success' }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'deployments: no repository nobody/nothing' });
  });
});
