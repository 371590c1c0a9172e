import type pg from 'pg';
import { expect } from 'vitest';
import { parseTimestamp } from '@tributary/contracts';

// Value-level truth: what the normalized tables hold, field by field, against what the simulator
// serves (its /_sim/truth routes give the exact wire records). Counts alone miss a summary that
// lost characters, a committer date read as the author date or a review filed under the wrong PR.

const JIRA_AUTH = `Basic ${Buffer.from('sim@example.com:sim-token').toString('base64')}`;

interface TruthIssue {
  key: string;
  fields: Record<string, unknown> & {
    summary: string;
    status: { name: string };
    created: string;
    updated: string;
    resolutiondate: string | null;
  };
}
interface TruthPull {
  pull: Record<string, unknown> & {
    number: number;
    title: string;
    state: string;
    merged_at: string | null;
    created_at: string;
    updated_at: string;
  };
  reviews: { id: number; state: string; submitted_at: string | null }[];
  commits: {
    sha: string;
    commit: { author: { date: string } | null; committer: { date: string; name: string } | null };
  }[];
}

const at = (value: unknown): string | null => parseTimestamp(value)?.toISOString() ?? null;
/** Normalized text drops U+0000 (Postgres cannot hold it); the raw layer keeps it. */
const text = (value: string): string => value.replaceAll('\0', '');
const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

async function sim<T>(simulatorUrl: string, path: string, auth?: string): Promise<T> {
  const response = await fetch(new URL(path, simulatorUrl), auth ? { headers: { authorization: auth } } : {});
  if (!response.ok) throw new Error(`simulator ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

async function map<T, R>(items: readonly T[], fn: (item: T) => Promise<R>, width = 8): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width)
    out.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  return out;
}

/**
 * Every Jira issue of `integrationId` against the simulator's truth: key, summary, status, the
 * three timestamps, story points (from the field the site names "Story Points"/"Story point
 * estimate"), sprints, parent, components and fix versions. `except` keys are left out (records
 * the raw layer refused, whose rows keep their earlier version).
 */
export async function expectJiraValuesMatchTruth(
  pool: pg.Pool,
  simulatorUrl: string,
  integrationId: number,
  except: readonly string[] = [],
): Promise<void> {
  const fields = await sim<{ id: string; name: string; schema?: { custom?: string } }[]>(
    simulatorUrl,
    '/rest/api/3/field',
    JIRA_AUTH,
  );
  const storyPoints = fields.find((f) => f.name === 'Story Points' || f.name === 'Story point estimate')?.id;
  const sprint = fields.find((f) => f.schema?.custom === 'com.pyxis.greenhopper.jira:gh-sprint')?.id;
  const keys = (await sim<{ key: string }[]>(simulatorUrl, '/_sim/truth/jira/issues'))
    .map((i) => i.key)
    .filter((k) => !except.includes(k));
  const truth = await map(keys, (key) => sim<TruthIssue>(simulatorUrl, `/_sim/truth/jira/issues/${key}`));
  const { rows } = await pool.query<{
    key: string;
    summary: string;
    status_name: string | null;
    created_at: Date;
    updated_at: Date;
    resolved_at: Date | null;
    story_points: number | null;
    sprints: string[];
    parent_key: string | null;
    components: string[];
    fix_versions: string[];
  }>(
    `select key, summary, status_name, created_at, updated_at, resolved_at, story_points::float8 as story_points, sprints, parent_key, components, fix_versions
     from jira_issues where integration_id = $1`,
    [integrationId],
  );
  const stored = new Map(rows.map((r) => [r.key, r]));
  const names = (list: unknown): string[] =>
    Array.isArray(list) ? list.map((x: { name: string }) => x.name) : [];
  const expected = truth.map((t) => ({
    key: t.key,
    summary: text(t.fields.summary),
    status_name: t.fields.status.name,
    created_at: at(t.fields.created),
    updated_at: at(t.fields.updated),
    resolved_at: at(t.fields.resolutiondate),
    story_points: storyPoints ? ((t.fields[storyPoints] as number | null) ?? null) : null,
    sprints: sprint ? names(t.fields[sprint]) : [],
    parent_key: (t.fields.parent as { key: string } | undefined)?.key ?? null,
    components: names(t.fields.components),
    fix_versions: names(t.fields.fixVersions),
  }));
  const actual = truth.map((t) => {
    const r = stored.get(t.key);
    return r
      ? {
          ...r,
          created_at: iso(r.created_at),
          updated_at: iso(r.updated_at),
          resolved_at: iso(r.resolved_at),
        }
      : { key: t.key, missing: true };
  });
  expect(actual).toEqual(expected);
  // The simulator's real shapes are really exercised: a NUL summary and story points off customfield_10016 on some seeds.
  expect(truth.some((t) => t.fields.summary !== text(t.fields.summary))).toBe(true);
}

/**
 * Every pull request of `integrationId` against the truth (title, state, merged_at, timestamps),
 * each review (state, submitted_at, filed under the PR it was fetched for), each commit (sha,
 * author date, committer date and name) and the PR ↔ commit association, listing for listing.
 */
export async function expectGithubValuesMatchTruth(
  pool: pg.Pool,
  simulatorUrl: string,
  integrationId: number,
): Promise<void> {
  const list = await sim<{ repository: string; number: number }[]>(simulatorUrl, '/_sim/truth/github/pulls');
  const truth = await map(list, async (p) => ({
    ...p,
    ...(await sim<TruthPull>(simulatorUrl, `/_sim/truth/github/${p.repository}/pulls/${p.number}`)),
  }));
  const pulls = await pool.query<{
    repository: string;
    number: number;
    title: string;
    state: string;
    merged_at: Date | null;
    created_at: Date;
    updated_at: Date;
  }>(
    'select repository, number, title, state, merged_at, created_at, updated_at from github_pull_requests where integration_id = $1',
    [integrationId],
  );
  const pullKey = (repository: string, number: number) => `${repository}#${number}`;
  const storedPulls = new Map(pulls.rows.map((r) => [pullKey(r.repository, r.number), r]));
  expect(
    truth.map((t) => {
      const r = storedPulls.get(pullKey(t.repository, t.number));
      return r
        ? { ...r, merged_at: iso(r.merged_at), created_at: iso(r.created_at), updated_at: iso(r.updated_at) }
        : { missing: pullKey(t.repository, t.number) };
    }),
  ).toEqual(
    truth.map((t) => ({
      repository: t.repository,
      number: t.number,
      title: text(t.pull.title),
      state: t.pull.state,
      merged_at: at(t.pull.merged_at),
      created_at: at(t.pull.created_at),
      updated_at: at(t.pull.updated_at),
    })),
  );

  const reviews = await pool.query<{
    external_id: string;
    repository: string;
    pull_number: number;
    state: string;
    submitted_at: Date | null;
  }>(
    'select external_id, repository, pull_number, state, submitted_at from github_reviews where integration_id = $1',
    [integrationId],
  );
  const storedReviews = new Map(
    reviews.rows.map((r) => [r.external_id, { ...r, submitted_at: iso(r.submitted_at) }]),
  );
  const expectedReviews = truth.flatMap((t) =>
    t.reviews.map((rv) => ({
      external_id: String(rv.id),
      repository: t.repository,
      pull_number: t.number,
      state: rv.state,
      submitted_at: at(rv.submitted_at),
    })),
  );
  expect(expectedReviews.map((r) => storedReviews.get(r.external_id) ?? { missing: r.external_id })).toEqual(
    expectedReviews,
  );

  const commits = await pool.query<{
    sha: string;
    authored_at: Date | null;
    committed_at: Date | null;
    committer_name: string | null;
  }>('select sha, authored_at, committed_at, committer_name from github_commits where integration_id = $1', [
    integrationId,
  ]);
  const storedCommits = new Map(
    commits.rows.map((c) => [
      c.sha,
      { ...c, authored_at: iso(c.authored_at), committed_at: iso(c.committed_at) },
    ]),
  );
  const expectedCommits = new Map(
    truth.flatMap((t) =>
      t.commits.map((c) => [
        c.sha,
        {
          sha: c.sha,
          authored_at: at(c.commit.author?.date),
          committed_at: at(c.commit.committer?.date),
          committer_name: c.commit.committer?.name ?? null,
        },
      ]),
    ),
  );
  expect([...expectedCommits.keys()].map((sha) => storedCommits.get(sha) ?? { missing: sha })).toEqual([
    ...expectedCommits.values(),
  ]);
  // Rebased commits really are in the data, so the committer date is not quietly the author date.
  expect([...expectedCommits.values()].some((c) => c.authored_at !== c.committed_at)).toBe(true);

  const associations = await pool.query<{ listing: string }>(
    `select repository || '#' || pull_number || '@' || sha as listing from github_pull_request_commits where integration_id = $1`,
    [integrationId],
  );
  const expectedListings = truth
    .flatMap((t) => t.commits.map((c) => `${t.repository}#${t.number}@${c.sha}`))
    .sort();
  expect(associations.rows.map((r) => r.listing).sort()).toEqual(expectedListings);
  // Shared commits (stacked PRs) are in the data: more listings than distinct commits.
  expect(expectedListings.length).toBeGreaterThan(expectedCommits.size);
}
