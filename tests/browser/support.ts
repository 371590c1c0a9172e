import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type ConsoleMessage,
  type Locator,
  type Page,
} from 'playwright-core';
import { startStack, type Stack } from '../../scripts/stack.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { deleteQueues } from '../support/backend.ts';
import { ApiClient } from '../support/api-client.ts';
import { simulatorGithub, simulatorJira } from '../support/simulator-integrations.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Screenshots of every test land here (git-ignored); CI keeps the folder as the run's output. */
export const OUTPUT_DIR = fileURLToPath(new URL('./output', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TIERS = '200,400,800';

/** Debian's Chromium, headless, without the background services that cost CPU and reach the network. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} not found: apt-get install chromium (.ci/run does it)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The built dashboard is what the backend serves; build it once if this checkout has none yet. */
export function ensureDashboardBuilt(): void {
  if (existsSync(`${ROOT}services/dashboard/dist/index.html`)) return;
  execFileSync('pnpm', ['--filter', '@tributary/dashboard', 'build'], { cwd: ROOT, stdio: 'ignore' });
}

export interface BrowserStack {
  stack: Stack;
  database: TestDatabase;
  pool: pg.Pool;
  admin: ApiClient;
  sim: ApiClient;
  stop: () => Promise<void>;
}

/** The real stack (simulator, backend serving the dashboard, worker, extract) as processes, on a fresh database. */
export async function startBrowserStack(simulator: Record<string, string> = {}): Promise<BrowserStack> {
  ensureDashboardBuilt();
  const database = await createTestDatabase();
  const prefix = `t_${randomBytes(4).toString('hex')}.`;
  const fast = { RETRY_TIERS_MS: TIERS, LOG_LEVEL: 'warn' };
  const stack = await startStack({
    databaseUrl: database.url,
    amqpUrl: inject('amqpUrl'),
    queuePrefix: prefix,
    env: {
      backend: { ...fast, SCHEDULER_TICK_SECONDS: '2', EVENTS_HEALTH_INTERVAL_SECONDS: '2' },
      worker: { ...fast, TRANSFORM_MAX_ATTEMPTS: '2' },
      extract: { ...fast, SOURCE_RETRY_BASE_MS: '100', SOURCE_RETRY_CAP_MS: '500' },
      simulator: {
        SIM_SEED: '13',
        SIM_JIRA_PROJECTS: '1',
        SIM_JIRA_ISSUES: '60',
        SIM_GITHUB_REPOS: '1',
        SIM_GITHUB_PRS: '15',
        ...simulator,
      },
    },
  });
  // No idle timeout: a client the pool is closing on its own while the database is dropped (with
  // force) would get the server's FATAL after the pool stopped listening, an unhandled error.
  const pool = new pg.Pool({ connectionString: database.url, max: 2, idleTimeoutMillis: 0 });
  return {
    stack,
    database,
    pool,
    admin: new ApiClient(stack.urls.backend, stack.adminToken),
    sim: new ApiClient(stack.urls.simulator, 'unused'),
    stop: async () => {
      await stack.stop();
      await pool.end();
      await database.drop();
      await deleteQueues(inject('amqpUrl'), prefix, TIERS);
    },
  };
}

interface SimTruth {
  jira: { projects: string[] };
  github: { repositories: string[] };
}

/** A Jira integration body for the simulator, with its credentials and projects as `pnpm start` seeds them. */
export async function jiraIntegration(sim: ApiClient, baseUrl: string) {
  return simulatorJira(baseUrl, await sim.ok<SimTruth>('GET', '/_sim/truth/summary'), 'Jira (simulator)');
}

export async function githubIntegration(sim: ApiClient, baseUrl: string) {
  return simulatorGithub(baseUrl, await sim.ok<SimTruth>('GET', '/_sim/truth/summary'), 'GitHub (simulator)');
}

export { registerIntegration, runToEnd } from '../support/runs.ts';

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far (the tests assert there are none). */
  problems: string[];
  /** Screenshot into the output folder (and optionally a copy elsewhere), then closes the context. */
  finish: (name: string, copyTo?: string) => Promise<void>;
}

/**
 * A fresh browser context (one per test) on the dashboard. `expected` lists console
 * messages a test provokes on purpose (the browser logs every 4xx answer it receives).
 */
export async function openDashboard(
  browser: Browser,
  baseUrl: string,
  options: { width?: number; height?: number; expected?: RegExp[]; blockWebSocket?: boolean } = {},
): Promise<Session> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    baseURL: baseUrl,
  });
  if (options.blockWebSocket) {
    // As a proxy that refuses WebSockets would: every attempt is closed before it says anything.
    await context.routeWebSocket(/\/api\/v1\/events/, (ws) =>
      ws.close({ code: 1008, reason: 'blocked by the test' }),
    );
  }
  const page = await context.newPage();
  const problems: string[] = [];
  const expected = options.expected ?? [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (expected.some((re) => re.test(text))) return;
    problems.push(`console: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto('/');
  return {
    context,
    page,
    problems,
    finish: async (name, copyTo) => {
      mkdirSync(OUTPUT_DIR, { recursive: true });
      const path = `${OUTPUT_DIR}/${name}.png`;
      await page.screenshot({ path, fullPage: true });
      if (copyTo) await page.screenshot({ path: copyTo, fullPage: false });
      await context.close();
    },
  };
}

export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await see(page.getByRole('heading', { name: 'Overview', level: 1 }));
}

/** Web-first: waits until the locator is visible (playwright-core has no expect; this is its waiting core). */
export async function see(locator: Locator, timeout = 15_000): Promise<Locator> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch (error) {
    // What the page showed instead, for whoever reads the failure.
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await locator
      .page()
      .screenshot({ path: `${OUTPUT_DIR}/failure-${Date.now()}.png`, fullPage: true })
      .catch(() => undefined);
    throw error;
  }
  return locator;
}

export async function gone(locator: Locator, timeout = 15_000): Promise<void> {
  await locator.first().waitFor({ state: 'hidden', timeout });
}
