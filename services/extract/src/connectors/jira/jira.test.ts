import type { RunningSimulator, StatsSnapshot, TruthSummary } from '@tributary/simulator';
import { startSimulator } from '@tributary/simulator';
import { createBreakerRegistry, createGovernor } from '@tributary/resilience';
import type { BreakerRegistry } from '@tributary/resilience';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSourceClient, createConnector } from '../index.ts';
import type { ConnectorIntegration } from '../index.ts';
import { contextFor, drain, drainUntilKilled, resumedContext } from '../testing.ts';
import type { Positions } from '../testing.ts';
import type { Connector, Page, SourceRecord } from '../types.ts';
import { timestampMs } from '@tributary/contracts';
import { buildIssuesJql, jqlDate } from './issues.ts';
import { simulatorGuard } from '../../http/testing.ts';

let sim: RunningSimulator;
let truth: TruthSummary;
let registry: BreakerRegistry;

function jira(projects: string[]): Connector {
  const integration: ConnectorIntegration = {
    type: 'jira',
    id: 1,
    baseUrl: sim.url,
    credentials: { email: 'sim@example.com', api_token: 'sim-token' },
    config: { projects },
  };
  const client = buildSourceClient(integration, {
    guard: simulatorGuard,
    registry,
    governor: createGovernor({ name: 'jira:1' }),
    retry: { retries: 1, baseMs: 10, capMs: 20 },
  });
  return createConnector(integration, client);
}

const recordsOf = (pages: Page[], entityType: string): SourceRecord[] =>
  pages.filter((p) => p.entityType === entityType).flatMap((p) => p.records);

function statusTransitions(records: SourceRecord[]): number {
  let n = 0;
  for (const r of records) {
    for (const h of r.rawData.histories as { items: { fieldId?: string; field?: string }[] }[]) {
      n += h.items.filter((i) => i.fieldId === 'status' || i.field === 'status').length;
    }
  }
  return n;
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 1, jira: { projects: 2, issues: 120 }, github: { repos: 2, prs: 40 } });
  truth = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
  registry = createBreakerRegistry();
});

afterAll(async () => {
  registry.shutdown();
  await sim.close();
});

describe('jira connector against the simulator', () => {
  const positions: Positions = new Map();
  let fullIssues: SourceRecord[] = [];

  it('testConnection calls myself', async () => {
    await expect(jira(truth.jira.projects).testConnection()).resolves.toBeUndefined();
  });

  it('a full run of every stream yields exactly the truth', async () => {
    const connector = jira(truth.jira.projects);
    const ctx = contextFor('full');
    const projects = await drain(connector.streams.projects!, ctx);
    const statuses = await drain(connector.streams.statuses!, ctx);
    const issueTypes = await drain(connector.streams.issue_types!, ctx);
    const issuePages = await drain(connector.streams.issues!, ctx, positions);

    expect(
      recordsOf(projects, 'jira_projects')
        .map((r) => r.rawData.key)
        .sort(),
    ).toEqual([...truth.jira.projects].sort());
    expect(recordsOf(statuses, 'jira_statuses').length).toBeGreaterThan(0);
    expect(recordsOf(issueTypes, 'jira_issue_types').length).toBeGreaterThan(0);

    fullIssues = recordsOf(issuePages, 'jira_issues');
    const changelogs = recordsOf(issuePages, 'jira_changelogs');
    expect(fullIssues).toHaveLength(truth.jira.issues);
    expect(changelogs).toHaveLength(truth.jira.issues);
    // No record twice within a run.
    expect(new Set(fullIssues.map((r) => r.externalId)).size).toBe(truth.jira.issues);
    expect(new Set(changelogs.map((r) => r.externalId)).size).toBe(truth.jira.issues);
    // Histories beyond the inline 100 came through bulkfetch.
    expect(statusTransitions(changelogs)).toBe(truth.jira.transitions);
    expect(changelogs.reduce((n, r) => n + (r.rawData.histories as unknown[]).length, 0)).toBe(
      truth.jira.histories,
    );
    expect(changelogs.some((r) => r.metadata.changelog_source === 'bulkfetch')).toBe(true);

    for (const r of fullIssues) {
      expect(r.rawData).not.toHaveProperty('changelog');
      expect(r.rawData.fields).toHaveProperty('updated');
      expect(r.metadata.url).toBe(`${sim.url}/rest/api/3/search/jql`);
    }
    for (const r of changelogs) {
      expect(r.rawData).toMatchObject({ issueId: r.externalId, issueKey: expect.any(String) as string });
    }

    // Pages come in pairs, the checkpoint on the second (changelogs) one.
    for (let i = 0; i < issuePages.length; i += 2) {
      expect(issuePages[i]?.entityType).toBe('jira_issues');
      expect(issuePages[i]?.checkpoint).toBeUndefined();
      expect(issuePages[i + 1]?.entityType).toBe('jira_changelogs');
      expect(issuePages[i + 1]?.checkpoint?.scope).toBe('');
    }
    const latest = Math.max(
      ...fullIssues.map((r) =>
        Date.parse(String((r.rawData.fields as { updated: string }).updated).replace('+0000', 'Z')),
      ),
    );
    expect(positions.get('')?.cursor).toBe(new Date(latest).toISOString());
  });

  it('an incremental run after advance yields only changed (and overlap) issues', async () => {
    const cursor = positions.get('')?.cursor;
    expect(cursor).toBeTruthy();
    await sim.control('DELETE', '/_sim/stats');
    const advanced = await sim.control<{ issues: string[] }>('POST', '/_sim/advance', { issues: 5 });

    const pages = await drain(
      jira(truth.jira.projects).streams.issues!,
      contextFor('incremental', positions),
      positions,
    );
    const issues = recordsOf(pages, 'jira_issues');
    const keys = issues.map((r) => r.rawData.key);
    expect(keys).toEqual(expect.arrayContaining(advanced.issues));

    // Anything else is in the overlap window before the saved cursor.
    const since = Date.parse(cursor ?? '') - 5 * 60_000;
    const overlap = fullIssues.filter(
      (r) =>
        Date.parse(String((r.rawData.fields as { updated: string }).updated).replace('+0000', 'Z')) >= since,
    );
    expect(issues.length).toBeLessThanOrEqual(
      new Set([...advanced.issues, ...overlap.map((r) => r.rawData.key)]).size,
    );
    expect(recordsOf(pages, 'jira_changelogs')).toHaveLength(issues.length);

    const stats = await sim.control<StatsSnapshot>('GET', '/_sim/stats');
    // myself + field (once per run), then one search page and perhaps a bulkfetch.
    expect(stats.total_requests).toBeLessThanOrEqual(5);
    expect(Date.parse(positions.get('')?.cursor ?? '')).toBeGreaterThan(Date.parse(cursor ?? ''));
  });

  it('an incremental run with nothing changed stores nothing and keeps the cursor', async () => {
    const before = positions.get('')?.cursor;
    const pages = await drain(
      jira(truth.jira.projects).streams.issues!,
      contextFor('incremental', positions),
      positions,
    );
    // Only the overlap window (the issues just advanced) comes again.
    expect(recordsOf(pages, 'jira_issues').length).toBeLessThanOrEqual(5);
    expect(positions.get('')?.cursor).toBe(before);
  });

  it('rides out a 503 on search and a truncated bulkfetch body', async () => {
    await sim.control('POST', '/_sim/faults', [
      { path: '/rest/api/3/search/jql', kind: 'status', status: 503, count: 1 },
      { path: '/rest/api/3/changelog/bulkfetch', kind: 'truncated', count: 1 },
    ]);
    try {
      // Earlier tests advanced the simulator: compare with the truth as it is now.
      const now = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
      const pages = await drain(jira(truth.jira.projects).streams.issues!, contextFor('full'));
      expect(recordsOf(pages, 'jira_issues')).toHaveLength(now.jira.issues);
      expect(statusTransitions(recordsOf(pages, 'jira_changelogs'))).toBe(now.jira.transitions);
      const stats = await sim.control<StatsSnapshot>('GET', '/_sim/stats');
      expect(stats.faults).toMatchObject({ status: 1, truncated: 1 });
    } finally {
      await sim.control('DELETE', '/_sim/faults');
    }
  });

  it('only configured projects', async () => {
    const [first] = truth.jira.projects;
    const connector = jira([first ?? '']);
    const projects = await drain(connector.streams.projects!, contextFor('full'));
    expect(recordsOf(projects, 'jira_projects').map((r) => r.rawData.key)).toEqual([first]);
    const pages = await drain(connector.streams.issues!, contextFor('full'));
    const issues = recordsOf(pages, 'jira_issues');
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((r) => String(r.rawData.key).startsWith(`${first}-`))).toBe(true);
  });
});

const updatedMs = (r: SourceRecord): number =>
  timestampMs((r.rawData.fields as { updated: unknown }).updated)!;

describe.each(['America/Los_Angeles', 'Pacific/Auckland'])('a Jira user in %s', (timeZone) => {
  it('an incremental run fetches an issue edited one minute after the cursor, and nothing older than the overlap', async () => {
    let clock = Date.UTC(2025, 0, 1);
    const zoned = await startSimulator({
      seed: 3,
      jira: { projects: 1, issues: 60, timeZone },
      now: () => clock,
    });
    try {
      const integration: ConnectorIntegration = {
        type: 'jira',
        id: 9,
        baseUrl: zoned.url,
        credentials: { email: 'sim@example.com', api_token: 'sim-token' },
        config: { projects: (await zoned.control<TruthSummary>('GET', '/_sim/truth/summary')).jira.projects },
      };
      const connector = createConnector(
        integration,
        buildSourceClient(integration, {
          registry,
          guard: simulatorGuard,
          retry: { retries: 0, baseMs: 1, capMs: 1 },
        }),
      );
      const positions: Positions = new Map();
      await drain(connector.streams.issues!, contextFor('full'), positions);
      const cursor = Date.parse(positions.get('')?.cursor ?? '');
      // One issue edited two hours before the cursor (a late-arriving write, outside the overlap),
      // then one a minute after it.
      clock = cursor - 2 * 3_600_000;
      const early = await zoned.control<{ issues: string[] }>('POST', '/_sim/advance', { issues: 1 });
      clock = cursor + 60_000;
      const late = await zoned.control<{ issues: string[] }>('POST', '/_sim/advance', { issues: 1 });
      const pages = await drain(connector.streams.issues!, contextFor('incremental', positions), positions);
      const issues = recordsOf(pages, 'jira_issues');
      expect(issues.map((r) => r.rawData.key)).toContain(late.issues[0]);
      // The bound is the cursor less the 5-minute overlap in the user's zone: hours off either way is a bug.
      expect(issues.map((r) => r.rawData.key)).not.toContain(early.issues[0]);
      expect(issues.every((r) => updatedMs(r) >= cursor - 6 * 60_000)).toBe(true);
      expect(issues.every((r) => r.metadata.time_zone === timeZone)).toBe(true);
    } finally {
      await zoned.close();
    }
  });
});

describe('custom fields by name', () => {
  // Seed 4 puts story points on a field other than customfield_10016, which then holds "Business Value".
  it('story points and sprints are read from the fields the site names, unless the config names an id', async () => {
    const site = await startSimulator({ seed: 4, jira: { projects: 1, issues: 30 } });
    try {
      const fields = (await (await site.jira('/rest/api/3/field')).json()) as { id: string; name: string }[];
      const storyPoints = fields.find((f) => f.name === 'Story Points' || f.name === 'Story point estimate')!;
      const sprint = fields.find((f) => f.name === 'Sprint')!;
      expect(storyPoints.id).not.toBe('customfield_10016');
      const run = async (config: { projects: string[]; story_points_field?: string }) => {
        const integration: ConnectorIntegration = {
          type: 'jira',
          id: 10,
          baseUrl: site.url,
          credentials: { email: 'sim@example.com', api_token: 'sim-token' },
          config,
        };
        const connector = createConnector(
          integration,
          buildSourceClient(integration, { registry, guard: simulatorGuard }),
        );
        return recordsOf(await drain(connector.streams.issues!, contextFor('full')), 'jira_issues');
      };
      const { projects } = (await site.control<TruthSummary>('GET', '/_sim/truth/summary')).jira;
      const issues = await run({ projects });
      expect(
        issues.every(
          (r) => r.metadata.story_points_field === storyPoints.id && r.metadata.sprint_field === sprint.id,
        ),
      ).toBe(true);
      const key = String(
        issues.find((r) => (r.rawData.fields as Record<string, unknown>)[storyPoints.id] !== null)?.rawData
          .key,
      );
      const source = await site.control<{ fields: Record<string, unknown> }>(
        'GET',
        `/_sim/truth/jira/issues/${key}`,
      );
      const got = issues.find((r) => r.rawData.key === key)!.rawData.fields as Record<string, unknown>;
      expect(got[storyPoints.id]).toBe(source.fields[storyPoints.id]);
      expect(got[sprint.id]).toEqual(source.fields[sprint.id]);
      const overridden = await run({ projects, story_points_field: 'customfield_10016' });
      expect(overridden.every((r) => r.metadata.story_points_field === 'customfield_10016')).toBe(true);
    } finally {
      await site.close();
    }
  });
});

describe('a full run killed after its first page', () => {
  it('resumes at the checkpoint instant, reading again only what was in flight and the issues updated at that very instant', async () => {
    const dense = await startSimulator({
      seed: 9,
      jira: { projects: 1, issues: 150 },
      github: { repos: 1, prs: 1 },
    });
    try {
      const summary = await dense.control<TruthSummary>('GET', '/_sim/truth/summary');
      // 120 issues changed one after another: their updates lie within a few seconds, all inside
      // the 5 min overlap an incremental run reaches back over.
      for (let i = 0; i < 120; i++) await dense.control('POST', '/_sim/advance', { issues: 1 });
      const integration: ConnectorIntegration = {
        type: 'jira',
        id: 9,
        baseUrl: dense.url,
        credentials: { email: 'sim@example.com', api_token: 'sim-token' },
        config: { projects: summary.jira.projects },
      };
      const connector = () =>
        createConnector(
          integration,
          buildSourceClient(integration, {
            guard: simulatorGuard,
            registry,
            retry: { retries: 0, baseMs: 1, capMs: 1 },
          }),
        );
      const positions: Positions = new Map();
      let issuePages = 0;
      const killed = await drainUntilKilled(
        connector().streams.issues!,
        contextFor('full'),
        positions,
        (p) => p.entityType === 'jira_issues' && ++issuePages === 2,
      );
      const cursor = Date.parse(positions.get('')?.cursor ?? '');
      const resumed = await drain(connector().streams.issues!, resumedContext(positions), positions);
      const storedIds = new Set(recordsOf(killed.stored, 'jira_issues').map((r) => r.externalId));
      const resumedIssues = recordsOf(resumed, 'jira_issues');
      expect(new Set([...storedIds, ...resumedIssues.map((r) => r.externalId)]).size).toBe(
        summary.jira.issues,
      );
      const updatedOf = (r: SourceRecord) => timestampMs((r.rawData.fields as { updated: string }).updated);
      const atInstant = recordsOf(killed.stored, 'jira_issues').filter((r) => updatedOf(r) === cursor).length;
      const readAgain = resumedIssues.filter((r) => storedIds.has(r.externalId)).length;
      expect(atInstant).toBeGreaterThan(0);
      expect(readAgain).toBeLessThanOrEqual(atInstant);
      expect(recordsOf(resumed, 'jira_changelogs')).toHaveLength(resumedIssues.length);
    } finally {
      await dense.close();
    }
  });
});

describe('issues JQL', () => {
  it('writes the bound as wall-clock time in the user zone', () => {
    const since = Date.parse('2024-03-01T10:15:30.123Z');
    expect(jqlDate(since, 'America/Los_Angeles')).toBe('2024-03-01 02:15');
    expect(jqlDate(since, 'Pacific/Auckland')).toBe('2024-03-01 23:15');
    expect(buildIssuesJql({ projects: ['A'] }, since, 'Asia/Kolkata')).toBe(
      'project in ("A") AND updated >= "2024-03-01 15:45" ORDER BY updated ASC',
    );
  });

  it('scopes by projects or by configured JQL, bounds by cursor less overlap, oldest first', () => {
    expect(buildIssuesJql({ projects: ['A', 'B'] }, null)).toBe('project in ("A", "B") ORDER BY updated ASC');
    const since = Date.parse('2024-03-01T10:15:30.123Z');
    expect(jqlDate(since)).toBe('2024-03-01 10:15');
    expect(buildIssuesJql({ jql: 'labels = x ORDER BY created DESC' }, since)).toBe(
      '(labels = x) AND updated >= "2024-03-01 10:15" ORDER BY updated ASC',
    );
    expect(() => buildIssuesJql({}, null)).toThrow(/projects or jql/);
  });
});
