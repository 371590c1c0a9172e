import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { ApiClient } from '../support/api-client.ts';
import { waitFor } from '../support/wait.ts';
import {
  githubIntegration,
  gone,
  jiraIntegration,
  launchBrowser,
  openDashboard,
  registerIntegration,
  runToEnd,
  see,
  signIn,
  startBrowserStack,
  type BrowserStack,
} from './support.ts';

// Browser tests of the dashboard against the real stack (processes), in Debian's Chromium.
// They need only this branch; the Flow and Metrics pages are tested in analytics.test.ts.

/** `README_SCREENSHOT=1` refreshes the committed screenshot the README shows. */
const README_SHOT = process.env.README_SCREENSHOT
  ? fileURLToPath(new URL('../../docs/dashboard.png', import.meta.url))
  : undefined;

let env: BrowserStack;
let browser: Browser;
let api: ApiClient;
let tenant: { id: number; token: string };
let other: ApiClient;

beforeAll(async () => {
  [env, browser] = await Promise.all([startBrowserStack(), launchBrowser()]);
  tenant = await env.admin.ok<{ id: number; token: string }>('POST', '/api/v1/tenants', { name: 'browser' });
  api = new ApiClient(env.stack.urls.backend, tenant.token);
  const second = await env.admin.ok<{ token: string }>('POST', '/api/v1/tenants', { name: 'someone else' });
  other = new ApiClient(env.stack.urls.backend, second.token);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

describe('dashboard in Chromium against the real stack', { timeout: 180_000 }, () => {
  it('signs in; creates a Jira integration against the simulator, tests, enables and runs it; progress and the final state arrive live, without a reload', async () => {
    // Another tenant's integration and run: none of it may show up on this tenant's pages.
    const foreign = await registerIntegration(other, {
      ...(await githubIntegration(env.sim, env.stack.urls.simulator)),
      name: 'Foreign repo',
    });
    await runToEnd(other, foreign);

    const { page, problems, finish } = await openDashboard(browser, env.stack.urls.backend, {
      expected: [/status of 400/], // the invalid form below, on purpose
    });
    await signIn(page, tenant.token);
    await see(page.getByRole('status').filter({ hasText: /^live$/ }));

    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByRole('button', { name: 'New integration' }).click();
    const body = await jiraIntegration(env.sim, env.stack.urls.simulator);
    await page.getByLabel('Name').fill(body.name);
    await page.getByLabel('Base URL').fill('not a url');
    await page.getByLabel('Email').fill(body.credentials.email);
    await page.getByLabel('API token').fill(body.credentials.api_token);
    await page.getByLabel('Projects').fill(body.config.projects.join(', '));
    await page.getByRole('button', { name: 'Create integration' }).click();
    // The API's field-named error, under its field.
    await see(page.locator('#base_url-error'));
    expect(await page.locator('#base_url-error').textContent()).toMatch(/url/i);

    await page.getByLabel('Base URL').fill(body.base_url);
    await page.getByRole('button', { name: 'Create integration' }).click();
    const card = page.getByRole('article', { name: body.name });
    await see(card);
    await card.getByRole('button', { name: 'Test connection' }).click();
    await see(card.getByText('Connection OK'));
    await card.getByRole('button', { name: 'Enable' }).click();
    await see(card.getByText('enabled', { exact: true }));
    await card.getByRole('button', { name: 'Run now' }).click();
    await card.getByRole('button', { name: 'Start run' }).click();

    // The job's state comes over the WebSocket: no reload, no polling (the header says live).
    const jobs = await waitFor(
      async () => (await api.ok<{ jobs: { id: number }[] }>('GET', '/api/v1/jobs')).jobs[0],
      10_000,
      'the job',
    );
    await see(card.getByRole('link', { name: `job ${jobs.id}` }), 10_000);
    await see(card.getByText('FINISHED', { exact: true }), 90_000);
    const finished = await api.ok<{
      status: string;
      records_seen: number;
      records_extracted: number;
      records_unchanged: number;
      records_failed: number;
      records_transformed: number;
    }>('GET', `/api/v1/jobs/${jobs.id}`);
    expect(finished.status).toBe('FINISHED');
    expect(finished.records_extracted).toBeGreaterThan(60);

    await card.getByRole('link', { name: `job ${jobs.id}` }).click();
    await see(page.getByRole('heading', { name: `Job ${jobs.id}` }));
    const counts = page.getByRole('region', { name: 'Counts' });
    await see(counts.getByText(finished.records_extracted.toLocaleString('en-US'), { exact: true }));
    await see(
      page
        .getByRole('list', { name: 'progress of job' + ` ${jobs.id}` })
        .getByText('issues', { exact: true }),
    );
    await see(page.getByRole('button', { name: 'Rerun' }));

    // This tenant's job list never names the other tenant's integration or job.
    await page.getByRole('link', { name: 'Jobs' }).click();
    await see(page.getByRole('link', { name: `Job ${jobs.id}` }));
    // The row says what the run read: seen, and of them new, unchanged and failed, as the API counts them.
    const headers = await page.getByRole('columnheader').allTextContents();
    const cells = await page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: `Job ${jobs.id}`, exact: true }) })
      .getByRole('cell')
      .allTextContents();
    const column = (name: string) => cells[headers.indexOf(name)];
    expect(['Seen', 'New', 'Unchanged', 'Failed'].map(column)).toEqual(
      [
        finished.records_seen,
        finished.records_extracted,
        finished.records_unchanged,
        finished.records_failed,
      ].map((n) => n.toLocaleString('en-US')),
    );
    expect(finished.records_seen).toBeGreaterThanOrEqual(finished.records_extracted);
    expect(await page.getByText('Foreign repo').count()).toBe(0);
    expect(await page.getByRole('link', { name: /^Job / }).count()).toBe(1);

    await page.getByRole('link', { name: `Job ${jobs.id}` }).click();
    await see(page.getByRole('heading', { name: `Job ${jobs.id}` }));
    expect(problems).toEqual([]);
    await finish('01-run-live', README_SHOT);
  });

  it('with the WebSocket blocked, falls back to polling and still shows a change made elsewhere', async () => {
    const id = await registerIntegration(api, {
      ...(await githubIntegration(env.sim, env.stack.urls.simulator)),
      name: 'GitHub polled',
    });
    const { page, problems, finish } = await openDashboard(browser, env.stack.urls.backend, {
      blockWebSocket: true,
    });
    await signIn(page, tenant.token);
    await see(page.getByRole('status').filter({ hasText: 'polling every 30 s' }));
    await page.getByRole('link', { name: 'Jobs' }).click();
    await see(page.getByRole('heading', { name: 'Jobs', level: 1 }));

    // A run started by someone else (the API), after the page has loaded.
    const job = await runToEnd(api, id);
    expect(job.status).toBe('FINISHED');
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: `Job ${job.id}`, exact: true }) });
    await see(row.getByText('FINISHED', { exact: true }), 45_000);
    await see(page.getByRole('status').filter({ hasText: 'polling every 30 s' }));
    expect(problems).toEqual([]);
    await finish('02-polling');
  });

  it('pauses and resumes a running job from the page, each after a confirmation', async () => {
    const id = await registerIntegration(api, {
      ...(await jiraIntegration(env.sim, env.stack.urls.simulator)),
      name: 'Jira slow',
    });
    // A slow source keeps the run going long enough for a person to press Pause.
    await env.sim.ok('POST', '/_sim/faults', { latency_ms: 2000 });
    try {
      const { page, problems, finish } = await openDashboard(browser, env.stack.urls.backend);
      await signIn(page, tenant.token);
      await page.getByRole('link', { name: 'Integrations' }).click();
      const card = page.getByRole('article', { name: 'Jira slow' });
      await card.getByRole('button', { name: 'Run now' }).click();
      await card.getByRole('button', { name: 'Start run' }).click();
      const active = card.getByRole('region', { name: 'active job of Jira slow' });

      await (await see(active.getByRole('button', { name: 'Pause' }), 20_000)).click();
      const dialog = page.getByRole('dialog');
      await see(dialog.getByText(/^Pause job \d+\?$/));
      await dialog.getByRole('button', { name: 'Yes, pause' }).click();
      await see(active.getByText('PAUSED', { exact: true }));
      const jobId = Number(
        (await active.getByRole('link', { name: /^Job \d+$/ }).textContent())?.replace('Job ', ''),
      );
      const paused = await api.ok<{ status: string; paused_by: string }>('GET', `/api/v1/jobs/${jobId}`);
      expect(paused).toMatchObject({ status: 'PAUSED', paused_by: 'user' });

      await env.sim.ok('DELETE', '/_sim/faults');
      await active.getByRole('button', { name: 'Resume' }).click();
      await dialog.getByRole('button', { name: 'Yes, resume' }).click();
      await see(card.getByText('FINISHED', { exact: true }), 90_000);
      expect((await api.ok<{ status: string }>('GET', `/api/v1/jobs/${jobId}`)).status).toBe('FINISHED');
      expect(id).toBeGreaterThan(0);
      expect(problems).toEqual([]);
      await finish('03-pause-resume');
    } finally {
      await env.sim.request('DELETE', '/_sim/faults');
    }
  });

  it('replays a dead letter from the page, and its record loads again', async () => {
    const id = await registerIntegration(api, {
      ...(await jiraIntegration(env.sim, env.stack.urls.simulator)),
      name: 'Jira letters',
    });
    await runToEnd(api, id);
    // What a batch that kept failing leaves behind (say the database was down through every retry):
    // its raw record marked failed, no normalized row, and a dead letter holding the transform message.
    const { rows } = await env.pool.query<{ raw_id: number; key: string }>(
      `select raw_id, key from jira_issues where integration_id = $1 order by key limit 1`,
      [id],
    );
    const { raw_id: rawId, key } = rows[0]!;
    await env.pool.query('delete from jira_issues where raw_id = $1', [rawId]);
    await env.pool.query(
      `update raw_extraction_data set status = 'failed', error = 'database unavailable' where id = $1`,
      [rawId],
    );
    const message = {
      v: 1,
      tenant_id: tenant.id,
      integration_id: id,
      job_id: null,
      entity_type: 'jira_issues',
      raw_ids: [rawId],
    };
    const { rows: letters } = await env.pool.query<{ id: number }>(
      `insert into dead_letters (tenant_id, integration_id, entity_type, message_id, queue, routing_key, headers, body, reason, attempts)
       values ($1, $2, 'jira_issues', gen_random_uuid()::text, $3, 'transform.jira_issues', $4::jsonb, $5, $6, 4) returning id`,
      [
        tenant.id,
        id,
        `${env.stack.env.backend.QUEUE_PREFIX ?? ''}etl.transform`,
        JSON.stringify({ 'x-tenant-id': String(tenant.id), 'x-attempt': 4 }),
        JSON.stringify(message),
        'database unavailable: connection refused',
      ],
    );
    const letterId = letters[0]!.id;

    const { page, problems, finish } = await openDashboard(browser, env.stack.urls.backend);
    await signIn(page, tenant.token);
    await page.getByRole('link', { name: 'Dead letters' }).click();
    await page.getByLabel('Entity type').selectOption('jira_issues');
    await page.getByLabel('Reason contains').fill('connection refused');
    await (await see(page.getByRole('button', { name: `Inspect ${letterId}` }))).click();
    const detail = page.getByRole('region', { name: `Dead letter ${letterId}` });
    await see(detail.getByText(`"raw_ids"`, { exact: false }));
    await see(detail.getByText('No replays or discards yet.'));
    await detail.getByRole('button', { name: `Replay dead letter ${letterId}` }).click();
    await see(detail.getByText('Replayed 1.'));

    const loaded = await waitFor(
      async () =>
        (await env.pool.query<{ key: string }>('select key from jira_issues where raw_id = $1', [rawId]))
          .rows[0],
      30_000,
      'the replayed record to load',
    );
    expect(loaded.key).toBe(key);
    await see(
      detail
        .getByRole('list', { name: 'audit trail' })
        .getByText(`replay by tenant:${tenant.id}`, { exact: false }),
    );
    await see(detail.getByText('replayed', { exact: true }));
    expect(problems).toEqual([]);
    await finish('04-dead-letter-replay');
  });

  it("shows the tenant's open circuit breaker with its countdown on the overview, and resets it from there", async () => {
    const id = await registerIntegration(api, {
      ...(await jiraIntegration(env.sim, env.stack.urls.simulator)),
      name: 'Jira down',
    });
    // The source answers 503 to everything: five failures in a row open the integration's breaker.
    await env.sim.ok('POST', '/_sim/faults', { path: '/rest/api/3/**', kind: 'status', status: 503 });
    try {
      await api.ok('POST', `/api/v1/integrations/${id}/runs`, {});
      const { page, problems, finish } = await openDashboard(browser, env.stack.urls.backend);
      await signIn(page, tenant.token);
      const breakers = page.getByRole('region', { name: 'Circuit breakers' });
      const row = breakers.getByRole('row').filter({ hasText: `jira:${id}` });
      await see(row.getByText(/^OPEN · half-open in \d+/), 30_000);
      // Only this tenant's integrations (and the shared backend breaker) are listed.
      const own = (
        await api.ok<{ integrations: { id: number; type: string }[] }>('GET', '/api/v1/integrations')
      ).integrations.map((i) => `${i.type}:${i.id}`);
      const names = (await breakers.getByRole('row').allTextContents())
        .slice(1)
        .map((t) => /^(\S+?:\d+|backend)/.exec(t)?.[1]);
      expect(names.every((n) => n === 'backend' || own.includes(n ?? ''))).toBe(true);

      await env.sim.ok('DELETE', '/_sim/faults');
      await row.getByRole('button', { name: `Reset jira:${id}` }).click();
      await see(row.getByText('CLOSED', { exact: true }));
      const health = await api.ok<{ breakers: { name: string; state: string }[] }>(
        'GET',
        '/api/v1/system/health',
      );
      expect(health.breakers.find((b) => b.name === `jira:${id}`)?.state).toBe('CLOSED');
      expect(problems).toEqual([]);
      await finish('06-breaker-reset');
    } finally {
      await env.sim.request('DELETE', '/_sim/faults');
    }
  });

  it('after the backend restarts, reconnects and re-reads what changed while it was away', async () => {
    const id = await registerIntegration(api, {
      ...(await githubIntegration(env.sim, env.stack.urls.simulator)),
      name: 'GitHub restart',
    });
    const { page, problems, finish } = await openDashboard(browser, env.stack.urls.backend, {
      // While the backend is down the browser reports the refused connections; that is the point here.
      expected: [
        /net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|CONNECTION_CLOSED|EMPTY_RESPONSE)/,
        /WebSocket connection to .* failed/,
      ],
    });
    await signIn(page, tenant.token);
    await page.getByRole('link', { name: 'Jobs' }).click();
    await see(page.getByRole('status').filter({ hasText: /^live$/ }));

    await env.stack.kill('backend');
    await gone(page.getByRole('status').filter({ hasText: /^live$/ }));
    // A change nobody could announce: written while no backend was listening (a worker's write, say).
    const { rows } = await env.pool.query<{ id: number }>(
      `insert into etl_jobs (tenant_id, integration_id, streams, status, started_at, finished_at, error)
       values ($1, $2, '["repositories"]', 'FAILED', now(), now(), 'written while the backend was down') returning id`,
      [tenant.id, id],
    );
    await env.stack.start('backend');
    await see(page.getByRole('status').filter({ hasText: /^live$/ }), 30_000);
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: `Job ${rows[0]!.id}`, exact: true }) });
    // Seen at once on reconnect (the page re-reads), not at the next 30 s poll.
    await see(row.getByText('FAILED', { exact: true }), 10_000);
    expect(problems).toEqual([]);
    await finish('07-reconnect');
  });

  it('works at phone width with the keyboard alone, and shows the operator the admin views', async () => {
    const { page, problems, finish } = await openDashboard(browser, env.stack.urls.backend, {
      width: 390,
      height: 844,
    });
    // The Token field has focus on arrival (wait for it, or the first keys go nowhere); Enter submits.
    await see(page.locator('#token:focus'));
    await page.keyboard.type(tenant.token);
    await page.keyboard.press('Enter');
    await see(page.getByRole('heading', { name: 'Overview', level: 1 }));
    const focused = page.locator(':focus');
    const tabTo = async (name: string) => {
      for (let i = 0; i < 30; i++) {
        await page.keyboard.press('Tab');
        if ((await focused.textContent())?.trim() === name) return;
      }
      throw new Error(`${name} cannot be reached with Tab`);
    };
    await tabTo('Menu');
    await page.keyboard.press('Enter');
    await tabTo('Jobs');
    await page.keyboard.press('Enter');
    await see(page.getByRole('heading', { name: 'Jobs', level: 1 }));
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBe(0);
    await tabTo('Sign out');
    await page.keyboard.press('Enter');
    await see(page.getByLabel('Token'));
    expect(await page.evaluate('sessionStorage.length')).toBe(0);

    // The operator token: tenants and all dead letters, no tenant pages.
    await signIn(page, env.stack.adminToken);
    await see(page.getByText('Tributary · operator'));
    await tabTo('Menu');
    await page.keyboard.press('Enter');
    await tabTo('Tenants');
    await page.keyboard.press('Enter');
    await see(page.getByRole('heading', { name: 'Tenants', level: 1 }));
    expect(await page.getByRole('link', { name: 'Integrations' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await finish('05-phone-keyboard');
  });
});
