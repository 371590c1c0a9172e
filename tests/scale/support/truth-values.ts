import type pg from 'pg';
import { z } from 'zod';
import type { ApiClient } from '../../support/api-client.ts';

const truthIssues = z.array(z.object({ key: z.string(), updated: z.string() }));
const truthPulls = z.array(z.object({ repository: z.string(), number: z.number(), updated_at: z.string() }));
const truthIssue = z.object({
  key: z.string(),
  fields: z.object({ summary: z.string(), status: z.object({ name: z.string() }) }),
});
const truthPull = z.object({
  pull: z.object({ title: z.string(), state: z.string(), merged_at: z.string().nullable() }),
});

const ms = (value: string | Date | null) => (value === null ? null : new Date(value).getTime());

/**
 * The normalized rows of one Jira and one GitHub integration compared with the
 * simulator's truth by value: every issue's key and updated time, every pull
 * request's repository, number and updated time, and for a spread sample the
 * summary and status, the title, state and merge time.
 */
export async function valuesAgainstTruth(
  pool: pg.Pool,
  sim: ApiClient,
  integrations: { jira: number; github: number },
): Promise<{
  issues: { want: string[]; got: string[] };
  pulls: { want: string[]; got: string[] };
  samples: { want: unknown[]; got: unknown[] };
}> {
  const issues = truthIssues.parse(await sim.ok('GET', '/_sim/truth/jira/issues'));
  const pulls = truthPulls.parse(await sim.ok('GET', '/_sim/truth/github/pulls'));
  const dbIssues = await pool.query<{ key: string; updated_at: Date; summary: string; status_name: string }>(
    'select key, updated_at, summary, status_name from jira_issues where integration_id = $1 order by key',
    [integrations.jira],
  );
  const dbPulls = await pool.query<{
    repository: string;
    number: number;
    updated_at: Date;
    title: string;
    state: string;
    merged_at: Date | null;
  }>(
    'select repository, number, updated_at, title, state, merged_at from github_pull_requests where integration_id = $1 order by repository, number',
    [integrations.github],
  );
  const issueLine = (key: string, updated: string | Date) => `${key}@${ms(updated)}`;
  const pullLine = (repository: string, number: number, updated: string | Date) =>
    `${repository}#${number}@${ms(updated)}`;
  const want: unknown[] = [];
  const got: unknown[] = [];
  for (const sample of issues.filter((_, i) => i % Math.ceil(issues.length / 10) === 0)) {
    const t = truthIssue.parse(await sim.ok('GET', `/_sim/truth/jira/issues/${sample.key}`));
    want.push({ key: t.key, summary: t.fields.summary, status: t.fields.status.name });
    const row = dbIssues.rows.find((r) => r.key === t.key);
    got.push({ key: row?.key, summary: row?.summary, status: row?.status_name });
  }
  for (const sample of pulls.filter((_, i) => i % Math.ceil(pulls.length / 10) === 0)) {
    const t = truthPull.parse(
      await sim.ok('GET', `/_sim/truth/github/${sample.repository}/pulls/${sample.number}`),
    );
    want.push({
      pull: `${sample.repository}#${sample.number}`,
      title: t.pull.title,
      state: t.pull.state,
      merged_at: ms(t.pull.merged_at),
    });
    const row = dbPulls.rows.find((r) => r.repository === sample.repository && r.number === sample.number);
    got.push({
      pull: row && `${row.repository}#${row.number}`,
      title: row?.title,
      state: row?.state,
      merged_at: row ? ms(row.merged_at) : undefined,
    });
  }
  return {
    issues: {
      want: issues.map((i) => issueLine(i.key, i.updated)).sort(),
      got: dbIssues.rows.map((r) => issueLine(r.key, r.updated_at)).sort(),
    },
    pulls: {
      want: pulls.map((p) => pullLine(p.repository, p.number, p.updated_at)).sort(),
      got: dbPulls.rows.map((r) => pullLine(r.repository, r.number, r.updated_at)).sort(),
    },
    samples: { want, got },
  };
}
