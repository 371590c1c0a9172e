import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../testing.ts';
import type { RunningSimulator } from '../testing.ts';
import type { JiraHistory, JiraIssue } from './serialize.ts';
import type { TruthIssue, TruthSummary } from '../control/truth.ts';

interface SearchPage {
  issues: JiraIssue[];
  nextPageToken?: string;
  isLast: boolean;
}

let sim: RunningSimulator;
let clock = Date.UTC(2026, 0, 10, 9, 0);

beforeAll(async () => {
  sim = await startSimulator({
    seed: 7,
    jira: { projects: 3, issues: 300 },
    github: { repos: 1, prs: 2 },
    now: () => clock,
  });
});
afterAll(async () => {
  await sim.close();
});

async function walkSearch(
  jql: string,
  opts: { post?: boolean; fields?: string; maxResults?: number; expand?: string } = {},
): Promise<JiraIssue[]> {
  const all: JiraIssue[] = [];
  let token: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    let res: Response;
    if (opts.post) {
      res = await sim.jira('/rest/api/3/search/jql', {
        method: 'POST',
        body: JSON.stringify({
          jql,
          fields: opts.fields?.split(','),
          maxResults: opts.maxResults,
          nextPageToken: token,
          expand: opts.expand,
        }),
      });
    } else {
      const qs = new URLSearchParams({ jql });
      if (opts.fields) qs.set('fields', opts.fields);
      if (opts.maxResults) qs.set('maxResults', String(opts.maxResults));
      if (opts.expand) qs.set('expand', opts.expand);
      if (token) qs.set('nextPageToken', token);
      res = await sim.jira(`/rest/api/3/search/jql?${qs.toString()}`);
    }
    expect(res.status).toBe(200);
    const page = (await res.json()) as SearchPage;
    expect(page).not.toHaveProperty('total');
    all.push(...page.issues);
    if (page.isLast) {
      expect(page.nextPageToken).toBeUndefined();
      return all;
    }
    expect(page.nextPageToken).toBeTypeOf('string');
    token = page.nextPageToken;
  }
  throw new Error('search never finished');
}

describe('Jira auth and metadata', () => {
  it('rejects missing and wrong credentials with 401 and Jira error body', async () => {
    const none = await fetch(`${sim.url}/rest/api/3/myself`);
    expect(none.status).toBe(401);
    const wrong = await sim.jira('/rest/api/3/myself', {
      headers: { authorization: `Basic ${Buffer.from('sim@example.com:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    const body = (await wrong.json()) as { errorMessages: string[]; errors: object };
    expect(body.errorMessages.length).toBe(1);
    expect(body.errors).toEqual({});
  });

  it('answers myself, status and issuetype', async () => {
    const me = (await (await sim.jira('/rest/api/3/myself')).json()) as {
      accountId: string;
      emailAddress: string;
      accountType: string;
    };
    expect(me).toMatchObject({ emailAddress: 'sim@example.com', accountType: 'atlassian' });
    const statuses = (await (await sim.jira('/rest/api/3/status')).json()) as Array<{
      name: string;
      statusCategory: { key: string };
    }>;
    expect(statuses.map((s) => s.name)).toEqual(['To Do', 'In Progress', 'In Review', 'Done']);
    expect(statuses[3]?.statusCategory.key).toBe('done');
    const types = (await (await sim.jira('/rest/api/3/issuetype')).json()) as Array<{
      subtask: boolean;
      hierarchyLevel: number;
    }>;
    expect(types.some((t) => t.subtask && t.hierarchyLevel === -1)).toBe(true);
  });

  it('pages project search with startAt/maxResults', async () => {
    const seen: string[] = [];
    for (let startAt = 0; ;) {
      const page = (await (
        await sim.jira(`/rest/api/3/project/search?startAt=${startAt}&maxResults=2`)
      ).json()) as {
        values: Array<{ key: string; style: string }>;
        isLast: boolean;
        total: number;
        maxResults: number;
      };
      expect(page.total).toBe(3);
      seen.push(...page.values.map((v) => v.key));
      if (page.isLast) break;
      startAt += page.maxResults;
    }
    const summary = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
    expect(seen.sort()).toEqual([...summary.jira.projects].sort());
  });

  it('answers the removed /search with 410', async () => {
    const res = await sim.jira('/rest/api/3/search?jql=project%3DX');
    expect(res.status).toBe(410);
    const body = (await res.json()) as { errorMessages: string[] };
    expect(body.errorMessages[0]).toMatch(/migrate to the \/rest\/api\/3\/search\/jql API/);
  });
});

describe('search/jql', () => {
  it('walks every issue exactly once via GET and POST, in any supported order', async () => {
    const { jira } = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
    const jql = `project in (${jira.projects.join(', ')})`;
    for (const [q, opts] of [
      [jql, { maxResults: 37 }],
      [`${jql} ORDER BY updated ASC`, { post: true, maxResults: 50, fields: 'updated' }],
      [`${jql} ORDER BY created DESC`, { maxResults: 100, fields: 'created' }],
      [`${jql} ORDER BY key DESC`, { post: true, maxResults: 1000 }],
    ] as const) {
      const issues = await walkSearch(q, opts);
      expect(issues.length).toBe(jira.issues);
      expect(new Set(issues.map((i) => i.key)).size).toBe(jira.issues);
    }
    const byUpdated = await walkSearch(`${jql} ORDER BY updated ASC`, { maxResults: 40, fields: 'updated' });
    const times = byUpdated.map((i) => Date.parse(String(i.fields.updated).replace('+0000', 'Z')));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('returns only requested fields, with Jira wire formats', async () => {
    const [project] = (await sim.control<TruthSummary>('GET', '/_sim/truth/summary')).jira.projects;
    const idOnly = (await (
      await sim.jira(`/rest/api/3/search/jql?jql=project=${project}&maxResults=1`)
    ).json()) as SearchPage;
    expect(idOnly.issues[0]?.fields).toEqual({});
    const some = (await (
      await sim.jira(`/rest/api/3/search/jql?jql=project=${project}&maxResults=1&fields=summary,status`)
    ).json()) as SearchPage;
    expect(Object.keys(some.issues[0]?.fields ?? {}).sort()).toEqual(['status', 'summary']);
    const all = (await (
      await sim.jira(`/rest/api/3/search/jql?jql=project=${project}&maxResults=5&fields=*all`)
    ).json()) as SearchPage;
    const f = all.issues[0]?.fields ?? {};
    expect(f.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(f).toHaveProperty('customfield_10016');
    expect(f.project).toMatchObject({ key: project });
    expect((f.reporter as { accountType: string }).accountType).toBe('atlassian');
    expect(all.issues[0]?.key).toMatch(new RegExp(`^${project}-\\d+$`));
  });

  it('rejects bad JQL with a 400 and Jira error body', async () => {
    for (const jql of [
      'assignee = me',
      'project = NOPE',
      'ORDER BY updated',
      'project = X OR project = Y',
      'updated >= "soon"',
    ]) {
      const res = await sim.jira(`/rest/api/3/search/jql?jql=${encodeURIComponent(jql)}`);
      expect(res.status, jql).toBe(400);
      const body = (await res.json()) as { errorMessages: string[]; errors: object };
      expect(body.errorMessages).toHaveLength(1);
      expect(body.errors).toEqual({});
    }
    const bad = (await (await sim.jira('/rest/api/3/search/jql?jql=assignee%3Dme')).json()) as {
      errorMessages: string[];
    };
    expect(bad.errorMessages[0]).toMatch(/^Error in the JQL Query: /);
  });

  it('caps the inline changelog at 100 newest histories; bulkfetch returns all of them', async () => {
    const list = await sim.control<Array<{ key: string; id: string; histories: number }>>(
      'GET',
      '/_sim/truth/jira/issues',
    );
    const long = list.find((i) => i.histories > 100);
    const short = list.find((i) => i.histories > 3 && i.histories < 50);
    expect(long).toBeDefined();
    expect(short).toBeDefined();
    if (!long || !short) return;
    const project = long.key.split('-')[0] ?? '';
    const pages = await walkSearch(`project = ${project}`, {
      fields: 'summary',
      expand: 'changelog',
      maxResults: 500,
    });
    const found = pages.find((i) => i.key === long.key);
    expect(found?.changelog?.total).toBe(long.histories);
    expect(found?.changelog?.histories).toHaveLength(100);
    expect(found?.changelog?.maxResults).toBe(100);
    const inline = found?.changelog?.histories ?? [];
    // Newest first, as Jira documents for expand=changelog.
    expect(inline.map((h) => h.created)).toEqual([...inline.map((h) => h.created)].sort().reverse());

    const truth = await sim.control<TruthIssue>('GET', `/_sim/truth/jira/issues/${long.key}`);
    const fetched: JiraHistory[] = [];
    let token: string | undefined;
    do {
      const res = await sim.jira('/rest/api/3/changelog/bulkfetch', {
        method: 'POST',
        body: JSON.stringify({ issueIdsOrKeys: [long.key, short.id], maxResults: 30, nextPageToken: token }),
      });
      expect(res.status).toBe(200);
      const page = (await res.json()) as {
        issueChangeLogs: Array<{ issueId: string; changeHistories: JiraHistory[] }>;
        nextPageToken?: string;
      };
      expect(page.issueChangeLogs.reduce((n, l) => n + l.changeHistories.length, 0)).toBeLessThanOrEqual(30);
      for (const l of page.issueChangeLogs) if (l.issueId === long.id) fetched.push(...l.changeHistories);
      token = page.nextPageToken;
    } while (token);
    expect(fetched.map((h) => h.id)).toEqual(truth.changelog?.histories.map((h) => h.id));
    // Inline ∪ rest = everything.
    const inlineIds = new Set(inline.map((h) => h.id));
    expect(fetched.filter((h) => !inlineIds.has(h.id))).toHaveLength(long.histories - 100);
  });

  it('bulkfetch pages over every history of every issue exactly once', async () => {
    const list = await sim.control<Array<{ key: string; id: string; histories: number }>>(
      'GET',
      '/_sim/truth/jira/issues',
    );
    const ids = new Set<string>();
    let count = 0;
    let pages = 0;
    let token: string | undefined;
    let numeric = 0;
    do {
      const res = await sim.jira('/rest/api/3/changelog/bulkfetch', {
        method: 'POST',
        body: JSON.stringify({
          issueIdsOrKeys: list.map((i) => i.key),
          maxResults: 97,
          nextPageToken: token,
        }),
      });
      expect(res.status).toBe(200);
      const page = (await res.json()) as {
        issueChangeLogs: Array<{ issueId: string; changeHistories: JiraHistory[] }>;
        nextPageToken?: string;
      };
      for (const l of page.issueChangeLogs) {
        // `created` is ISO on most histories and epoch ms on some, as in Atlassian's bulkfetch example.
        numeric += l.changeHistories.filter((h) => typeof h.created === 'number').length;
        const created = l.changeHistories.map((h) =>
          typeof h.created === 'number' ? h.created : Date.parse(h.created.replace('+0000', 'Z')),
        );
        expect([...created].sort((a, b) => a - b)).toEqual(created);
        for (const h of l.changeHistories) ids.add(`${l.issueId}/${h.id}`);
        count += l.changeHistories.length;
      }
      token = page.nextPageToken;
      pages++;
    } while (token);
    const total = list.reduce((n, i) => n + i.histories, 0);
    expect(count).toBe(total);
    expect(numeric).toBeGreaterThan(0);
    expect(numeric).toBeLessThan(total);
    expect(ids.size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 97));
  });

  it('rejects a bulkfetch of more than 1000 issues', async () => {
    const res = await sim.jira('/rest/api/3/changelog/bulkfetch', {
      method: 'POST',
      body: JSON.stringify({ issueIdsOrKeys: Array.from({ length: 1001 }, (_, i) => String(10000 + i)) }),
    });
    expect(res.status).toBe(400);
  });

  it('filters bulkfetch by fieldIds', async () => {
    const list = await sim.control<Array<{ key: string; transitions: number; histories: number }>>(
      'GET',
      '/_sim/truth/jira/issues',
    );
    const keys = list.slice(0, 40).map((i) => i.key);
    const res = await sim.jira('/rest/api/3/changelog/bulkfetch', {
      method: 'POST',
      body: JSON.stringify({ issueIdsOrKeys: keys, fieldIds: ['status'], maxResults: 10000 }),
    });
    const page = (await res.json()) as {
      issueChangeLogs: Array<{ changeHistories: JiraHistory[] }>;
      nextPageToken?: string;
    };
    expect(page.nextPageToken).toBeUndefined();
    const items = page.issueChangeLogs.flatMap((l) => l.changeHistories.flatMap((h) => h.items));
    expect(items.every((it) => it.field === 'status')).toBe(true);
    expect(items.length).toBe(list.slice(0, 40).reduce((n, i) => n + i.transitions, 0));
  });

  it('after advance, an updated >= query returns exactly the changed issues', async () => {
    clock = Date.UTC(2026, 0, 11, 15, 30, 20);
    const since = '2026-01-11 15:30';
    const adv = await sim.control<{ issues: string[] }>('POST', '/_sim/advance', { issues: 7 });
    expect(adv.issues).toHaveLength(7);
    const truth = await sim.control<TruthIssue>('GET', `/_sim/truth/jira/issues/${adv.issues[0] ?? ''}`);
    const lastHistory = truth.changelog?.histories.at(-1);
    expect(lastHistory?.created).toBe('2026-01-11T15:30:20.000+0000');
    expect(lastHistory?.items[0]?.field).toBe('status');
    const { jira } = await sim.control<TruthSummary>('GET', '/_sim/truth/summary');
    const changed = await walkSearch(
      `project in (${jira.projects.join(',')}) AND updated >= "${since}" ORDER BY updated ASC`,
      {
        fields: 'updated,status',
        maxResults: 3,
      },
    );
    expect(changed.map((i) => i.key).sort()).toEqual([...adv.issues].sort());
    expect(changed.every((i) => i.fields.updated === '2026-01-11T15:30:20.000+0000')).toBe(true);
  });
});
