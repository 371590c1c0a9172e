import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ApiClient } from '../support/api-client.ts';
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

// The Flow and Metrics pages read the analytics API of issue 12 (/api/v1/flow/*, /api/v1/metrics/*):
// these tests pass once that work is merged; the rest of the dashboard is tested in dashboard.test.ts.

interface Metric {
  value: number | null;
  unit: string;
  count: number;
  band: string | null;
  items_url: string;
}

let env: BrowserStack;
let browser: Browser;
let api: ApiClient;
let token: string;

beforeAll(async () => {
  [env, browser] = await Promise.all([startBrowserStack(), launchBrowser()]);
  token = (await env.admin.ok<{ token: string }>('POST', '/api/v1/tenants', { name: 'analytics' })).token;
  api = new ApiClient(env.stack.urls.backend, token);
  const jira = await registerIntegration(api, await jiraIntegration(env.sim, env.stack.urls.simulator));
  const github = await registerIntegration(api, await githubIntegration(env.sim, env.stack.urls.simulator));
  const runs = await Promise.all([runToEnd(api, jira), runToEnd(api, github)]);
  expect(runs.map((r) => r.status)).toEqual(['FINISHED', 'FINISHED']);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('analytics pages (need the analytics API of issue 12)', { timeout: 180_000 }, () => {
  it('a DORA tile shows the number the API computes, and opens the records behind it', async () => {
    // The simulator's history is fixed per seed (in the past): the range covers its deployments.
    const deployments = await env.sim.ok<{ created_at: string }[]>('GET', '/_sim/truth/github/deployments');
    const times = deployments.map((d) => Date.parse(d.created_at));
    const from = isoDay(Math.min(...times) - DAY);
    const to = isoDay(Math.max(...times) + 2 * DAY);
    const range = `from=${from}&to=${to}`;
    const dora = await api.ok<Record<string, Metric>>('GET', `/api/v1/metrics/dora?${range}`);
    const metric = dora.deployment_frequency!;
    expect(metric.count).toBeGreaterThan(0);
    const shown = metric.value === null ? '—' : String(Number(metric.value.toFixed(2)));

    const { page, problems, finish } = await openDashboard(browser, env.stack.urls.backend);
    await signIn(page, token);
    await page.getByRole('link', { name: 'Metrics' }).click();
    await page.getByLabel('From').fill(from);
    await page.getByLabel('To').fill(to);
    const tile = page.getByRole('button', {
      name: `Deployment frequency: ${shown} ${metric.unit}, show items`,
    });
    await see(tile);
    if (metric.band) await see(tile.getByText(metric.band, { exact: true }));
    await tile.click();
    const items = page.getByRole('table', { name: 'items of Deployment frequency' });
    await see(items);
    const listed = await api.ok<{ items: unknown[] }>('GET', metric.items_url);
    expect(await items.getByRole('row').count()).toBe(listed.items.length + 1);
    await see(page.getByRole('img', { name: /^Deployments per week:/ }));
    expect(problems).toEqual([]);
    await finish('10-metrics');
  });

  it('flow: unmapped statuses are highlighted, auto-map maps them, and deleting a step shows its impact first', async () => {
    const { page, problems, finish } = await openDashboard(browser, env.stack.urls.backend);
    await signIn(page, token);
    await page.getByRole('link', { name: 'Flow' }).click();
    await see(page.getByText('unmapped', { exact: true }));

    await page.getByRole('button', { name: 'Auto-map statuses' }).click();
    await see(
      page.getByRole('status').filter({ hasText: /^Auto-map done: 3 steps and \d+ mappings created/ }),
    );
    // Only neighbours of one category can swap (the API refuses any other order).
    expect(await page.getByRole('button', { name: 'move To Do up' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'move To Do down' }).isDisabled()).toBe(true);
    await gone(page.getByText('unmapped', { exact: true }));
    const stepsRegion = page.getByRole('region', { name: 'Steps' });
    await see(stepsRegion.getByRole('cell', { name: 'In Progress', exact: true }));
    const mappings = await api.ok<{ mappings: unknown[] }>('GET', '/api/v1/flow/mappings');
    expect(mappings.mappings.length).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Delete In Progress' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Show impact' }).click();
    await see(dialog.getByText('Impact (nothing changed yet):'));
    // The dry run changed nothing.
    const steps = await api.ok<{ steps: { name: string }[] }>('GET', '/api/v1/flow/steps');
    expect(steps.steps.map((s) => s.name)).toContain('In Progress');
    await dialog.getByRole('button', { name: 'Yes, delete' }).click();
    await gone(stepsRegion.getByRole('cell', { name: 'In Progress', exact: true }));
    const after = await api.ok<{ steps: { name: string }[] }>('GET', '/api/v1/flow/steps');
    expect(after.steps.map((s) => s.name)).not.toContain('In Progress');
    expect(problems).toEqual([]);
    await finish('11-flow');
  });
});
