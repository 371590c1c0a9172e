import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPipeline, type TestPipeline } from '../../../tests/support/pipeline.ts';
import { waitFor } from '../../../tests/support/wait.ts';
import { runCli } from './cli.ts';

let p: TestPipeline;
let url: string;

beforeAll(async () => {
  p = await startTestPipeline();
  url = await p.backend.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => p.close());

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { TRIBUTARY_URL: url, TRIBUTARY_TOKEN: p.tenant.token },
    fetch,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('tributary CLI against a real backend', () => {
  it('lists, shows and replays dead letters', async () => {
    const ids = await p.storeRaw([
      {
        entity_type: 'jira_issues',
        external_id: '1',
        raw_data: { id: '1', key: 'EX-1', fields: { summary: 'no dates' } },
      },
    ]);
    await p.publisher.publish('transform.jira_issues', {
      v: 1,
      tenant_id: p.tenant.id,
      integration_id: p.integrationId,
      job_id: null,
      entity_type: 'jira_issues',
      raw_ids: ids,
    });
    const listed = await waitFor(async () => {
      const result = await cli('dead-letters', 'list');
      return result.out.includes('could not be transformed') ? result : null;
    });
    expect(listed.code).toBe(0);
    const id = listed.out.split('\t')[0]!;

    const shown = await cli('dead-letters', 'show', id);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toMatchObject({ id: Number(id), status: 'dead', body: { raw_ids: ids } });

    const replayed = await cli('dead-letters', 'replay', id);
    expect(replayed).toMatchObject({ code: 0, out: `replayed 1: ${id}` });
    const again = await cli('dead-letters', 'replay', id);
    expect(again.out).toContain(`skipped ${id}: already replayed`);

    const filtered = await cli('dead-letters', 'replay', '--filter', '--entity-type', 'jira_issues');
    expect(filtered.code).toBe(0);
  });

  it('says what is wrong: bad id, unknown command, missing token, API errors', async () => {
    expect(await cli('dead-letters', 'show', 'abc')).toMatchObject({ code: 2 });
    expect((await cli('dead-letters', 'show', 'abc')).err).toContain('ID must be a positive integer');
    expect((await cli('frobnicate')).code).toBe(2);
    const missing = await cli('dead-letters', 'show', '999999');
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.err).toContain('404: dead letter 999999 not found');
    const noToken = await runCli(['jobs', 'list'], {
      out: () => undefined,
      err: () => undefined,
      env: {},
      fetch,
    });
    expect(noToken).toBe(2);
  });

  it('starts a run and lists jobs', async () => {
    const run = await cli('run', String(p.integrationId));
    // The test integration was never connection-tested, so it is not enabled.
    expect(run.code).toBe(1);
    expect(run.err).toContain('disabled');
    const jobs = await cli('jobs', 'list', '--json');
    // The refused run created no job: the only one is the finished run the raw rows above were
    // stored for (service writes of raw rows must name a running job).
    expect(p.storeJobIds).toHaveLength(1);
    expect(JSON.parse(jobs.out)).toEqual({
      jobs: [expect.objectContaining({ id: p.storeJobIds[0], status: 'FINISHED' })],
    });
  });

  it('jobs list and jobs show say how many records were seen, and of them new, unchanged and failed', async () => {
    const jobId = p.storeJobIds[0]!;
    // What a run that read 6 issues (3 new, 2 already stored alike, 1 refused) leaves on its job row.
    await p.backend.pool.query(
      `update etl_jobs set progress = $2::jsonb, records_extracted = 3, records_failed = 1 where id = $1`,
      [
        jobId,
        JSON.stringify({
          issues: { pages: 1, entities: { jira_issues: { seen: 6, new: 3, unchanged: 2, failed: 1 } } },
        }),
      ],
    );
    const listed = await cli('jobs', 'list');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(
      new RegExp(
        `^${jobId}\tintegration ${p.integrationId}\tFINISHED\tseen 6\tnew 3\tunchanged 2\tfailed 1\ttransformed \\d+$`,
      ),
    );
    const shown = await cli('jobs', 'show', String(jobId));
    expect(shown.code).toBe(0);
    expect(shown.out.split('\n')).toContain('  issues\tjira_issues\tseen 6\tnew 3\tunchanged 2\tfailed 1');
    expect(JSON.parse((await cli('jobs', 'show', String(jobId), '--json')).out)).toMatchObject({
      id: jobId,
      records_seen: 6,
      records_unchanged: 2,
    });
  });
});
