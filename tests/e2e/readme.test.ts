/**
 * The README's "Using it" block, run exactly as written (extracted from README.md)
 * from a "new terminal" (an environment with none of the stack's variables) against
 * a stack started by `pnpm start`'s own script; then `pnpm start` is stopped and
 * started again and everything made before must still work.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { hearPoolErrors } from '@tributary/db';
import { freePort } from '../../scripts/stack.ts';
import { parseLocalEnv } from '../../scripts/local-identity.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { deleteQueues } from '../support/backend.ts';
import { ApiClient } from '../support/api-client.ts';
import { waitFor } from '../support/wait.ts';
import { jobEnded } from '../support/runs.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULT_TIERS = '5000,30000,300000';
const prefix = `t_${randomBytes(4).toString('hex')}.`;

/** The first ```sh block under "## Using it". */
function usingItBlock(readme: string): string {
  const section = readme.slice(readme.indexOf('## Using it'));
  const match = /```sh\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README.md has no sh block under "## Using it"');
  return match[1]!;
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

let database: TestDatabase;
let work: string;
let ports: Record<string, string>;
let pool: pg.Pool;
const running: Started[] = [];

function startCommand(): Started {
  const child = spawn(process.execPath, ['scripts/start-stack.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DATABASE_URL: database.url,
      AMQP_URL: inject('amqpUrl'),
      QUEUE_PREFIX: prefix,
      TRIBUTARY_STATE_DIR: join(work, '.tributary'),
      SIM_JIRA_ISSUES: '20',
      SIM_GITHUB_PRS: '8',
      LOG_LEVEL: 'warn',
      ...ports,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = { child, output: () => text, exited };
  running.push(started);
  return started;
}

async function untilRunning(started: Started): Promise<void> {
  let ended = false;
  void started.exited.then(() => (ended = true));
  await waitFor(
    async () => {
      if (ended) throw new Error(`pnpm start exited:\n${started.output().slice(-4000)}`);
      return started.output().includes('Tributary is running.');
    },
    120_000,
    'pnpm start to print its banner',
  );
}

async function stop(started: Started): Promise<number | null> {
  started.child.kill('SIGINT');
  return started.exited;
}

const localEnv = async () => parseLocalEnv(await readFile(join(work, '.tributary', 'local.env'), 'utf8'));

beforeAll(async () => {
  database = await createTestDatabase();
  work = await mkdtemp(join(tmpdir(), 'tributary-readme-'));
  ports = {
    BACKEND_PORT: String(await freePort()),
    EXTRACT_PORT: String(await freePort()),
    WORKER_PORT: String(await freePort()),
    SIMULATOR_PORT: String(await freePort()),
  };
  pool = hearPoolErrors(new pg.Pool({ connectionString: database.url, max: 2 }));
});

afterAll(async () => {
  for (const started of running)
    if (started.child.exitCode === null && started.child.signalCode === null) await stop(started);
  await pool?.end();
  await database?.drop();
  await deleteQueues(inject('amqpUrl'), prefix, DEFAULT_TIERS);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('README "Using it" and pnpm start across restarts', () => {
  let first: Started;
  let integrationId: number;
  let tenantToken: string;

  it('pnpm start writes its identity to a mode-600 file and prints export lines', async () => {
    first = startCommand();
    await untilRunning(first);
    const file = await localEnv();
    expect(file.TRIBUTARY_ENCRYPTION_KEY).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // The backend → extract token (issue 10) is part of the identity like the other secrets.
    expect(file.TRIBUTARY_EXTRACT_TOKEN).toMatch(/^extract-[0-9a-f]{32}$/);
    expect(file.TRIBUTARY_EXTRACT_TOKEN).not.toBe(file.TRIBUTARY_SERVICE_TOKEN);
    expect((await stat(join(work, '.tributary', 'local.env'))).mode & 0o777).toBe(0o600);
    expect(first.output()).toContain(`export TRIBUTARY_URL=http://127.0.0.1:${ports.BACKEND_PORT}`);
    expect(first.output()).toContain(`TRIBUTARY_TOKEN=${file.TRIBUTARY_TOKEN}`);
    expect(first.output()).toContain(file.TRIBUTARY_ADMIN_TOKEN);
  });

  it('a second pnpm start on the same ports stops at once, naming the port and its holder', async () => {
    const second = startCommand();
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`port ${ports.BACKEND_PORT} (backend) is already in use by node (pid `);
  });

  it('the README block runs as written from a new terminal and its run finishes', async () => {
    const block = usingItBlock(await readFile(join(ROOT, 'README.md'), 'utf8'));
    expect(block).toMatch(/jq -r \.id/);
    // eslint-disable-next-line no-control-regex
    expect(block).toMatch(/^[\x00-\x7f]*$/);
    // One line after the block reports the tenant token it kept in a shell variable.
    const result = spawnSync(
      'bash',
      ['-c', `set -euo pipefail\n${block}\nprintf 'BLOCK_TOKEN=%s\\n' "$TOKEN"`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: work,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // The block's last answer is the job (GET /jobs/$JOB).
    const lines = result.stdout.trim().split('\n');
    tenantToken = lines.at(-1)!.replace('BLOCK_TOKEN=', '');
    const job = JSON.parse(lines.at(-2)!) as { id: number; integration_id: number; status: string };
    expect(job.status).toMatch(/^(PENDING|RUNNING|FINISHED)$/);
    integrationId = job.integration_id;
    const { rows } = await pool.query<{ name: string }>(
      `select t.name from integrations i join tenants t on t.id = i.tenant_id where i.id = $1 and i.name = 'gh' and i.enabled`,
      [integrationId],
    );
    expect(rows).toEqual([{ name: 'acme' }]);
    const api = new ApiClient(`http://127.0.0.1:${ports.BACKEND_PORT}`, tenantToken);
    const finished = await jobEnded(api, job.id);
    expect(finished).toMatchObject({ status: 'FINISHED', error: null });
    const prs = await pool.query<{ n: number }>(
      'select count(*)::int as n from github_pull_requests where integration_id = $1',
      [integrationId],
    );
    expect(prs.rows[0]!.n).toBeGreaterThan(0);
  });

  it('after a restart the same identity is used, nothing is seeded twice, and earlier integrations still work', async () => {
    const before = await localEnv();
    expect(await stop(first)).toBe(0);
    const again = startCommand();
    await untilRunning(again);
    const after = await localEnv();
    expect(after.TRIBUTARY_ENCRYPTION_KEY).toBe(before.TRIBUTARY_ENCRYPTION_KEY);
    expect(after.TRIBUTARY_ADMIN_TOKEN).toBe(before.TRIBUTARY_ADMIN_TOKEN);
    expect(after.TRIBUTARY_SERVICE_TOKEN).toBe(before.TRIBUTARY_SERVICE_TOKEN);
    expect(after.TRIBUTARY_EXTRACT_TOKEN).toBe(before.TRIBUTARY_EXTRACT_TOKEN);
    expect(after.TRIBUTARY_TOKEN).toBe(before.TRIBUTARY_TOKEN);
    expect(again.output()).toContain('from the last start');
    const demo = await pool.query<{ n: number }>(
      `select count(*)::int as n from tenants where name = 'Demo'`,
    );
    expect(demo.rows[0]!.n).toBe(1);
    const demoIntegrations = await pool.query<{ n: number }>(
      `select count(*)::int as n from integrations i join tenants t on t.id = i.tenant_id where t.name = 'Demo' and i.deleted_at is null`,
    );
    expect(demoIntegrations.rows[0]!.n).toBe(2);
    // Credentials sealed before the restart are still readable: the test passes and a run finishes.
    const api = new ApiClient(`http://127.0.0.1:${ports.BACKEND_PORT}`, tenantToken);
    expect(await api.ok('POST', `/api/v1/integrations/${integrationId}/test`)).toMatchObject({
      ok: true,
      error: null,
    });
    const { job_id: jobId } = await api.ok<{ job_id: number }>(
      'POST',
      `/api/v1/integrations/${integrationId}/runs`,
      {},
    );
    const finished = await jobEnded(api, jobId);
    expect(finished).toMatchObject({ status: 'FINISHED' });
    expect(await stop(again)).toBe(0);
  });
});
