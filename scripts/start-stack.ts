/**
 * `pnpm start`: the whole Tributary stack as local processes on this machine's
 * Postgres and RabbitMQ (for machines without Docker), seeded with a demo tenant
 * whose Jira and GitHub integrations point at the simulator. Ctrl-C stops it.
 *
 * It keeps its identity between starts in `.tributary/local.env` (see
 * local-identity.ts), so integrations created earlier keep working after a restart.
 */
import pg from 'pg';
import { hearClientErrors } from '@tributary/db';
import { fileURLToPath } from 'node:url';
import { relative, resolve } from 'node:path';
import { z } from 'zod';
import { issueDetails } from '@tributary/contracts';
import { startStack } from './stack.ts';
import { seedDemo } from './seed-demo.ts';
import { SECRET_KEYS, localEnvPath, readLocalEnv, resolveSecrets, writeLocalEnv } from './local-identity.ts';
import { portsInUse } from './port-check.ts';

// A closed terminal must not crash us with EPIPE while services are still running.
process.stdout.on('error', () => undefined);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const port = (fallback: number) => z.coerce.number().int().min(1).max(65_535).default(fallback);
const envSchema = z.object({
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/tributary'),
  AMQP_URL: z.string().min(1).default('amqp://guest:guest@127.0.0.1:5672'),
  QUEUE_PREFIX: z.string().default(''),
  BACKEND_PORT: port(8080),
  EXTRACT_PORT: port(8081),
  WORKER_PORT: port(8082),
  SIMULATOR_PORT: port(8090),
  TRIBUTARY_STATE_DIR: z.string().min(1).default(resolve(ROOT, '.tributary')),
  SIM_JIRA_ISSUES: z.string().default('500'),
  SIM_GITHUB_PRS: z.string().default('200'),
});
const parsed = envSchema.safeParse(process.env);
if (!parsed.success) {
  for (const issue of issueDetails(parsed.error.issues))
    console.error(`pnpm start: ${issue.path}: ${issue.message}`);
  process.exit(2);
}
const config = parsed.data;
const ports = {
  backend: config.BACKEND_PORT,
  extract: config.EXTRACT_PORT,
  worker: config.WORKER_PORT,
  simulator: config.SIMULATOR_PORT,
};

const taken = await portsInUse(ports);
if (taken.length > 0) {
  for (const { name, port: number, holder } of taken) {
    console.error(`pnpm start: port ${number} (${name}) is already in use${holder ? ` by ${holder}` : ''}`);
  }
  console.error(
    'Is another `pnpm start` running? Stop it, or start this one on other ports, e.g.\n' +
      '  BACKEND_PORT=9080 EXTRACT_PORT=9081 WORKER_PORT=9082 SIMULATOR_PORT=9090 QUEUE_PREFIX=second. ' +
      'DATABASE_URL=postgres://postgres@127.0.0.1:5432/tributary2 TRIBUTARY_STATE_DIR=.tributary-2 pnpm start',
  );
  process.exit(1);
}

// Create the database on first start; migrations run when the backend starts.
const target = new URL(config.DATABASE_URL);
const database = decodeURIComponent(target.pathname.slice(1));
const server = new URL(config.DATABASE_URL);
server.pathname = '/postgres';
const admin = hearClientErrors(new pg.Client({ connectionString: server.toString() }));
await admin.connect();
const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
if (exists.rowCount === 0) await admin.query(`create database "${database.replaceAll('"', '')}"`);
await admin.end();

const stateDir = config.TRIBUTARY_STATE_DIR;
const file = await readLocalEnv(stateDir);
const { secrets } = resolveSecrets(file, process.env);
// The secrets are saved before anything can seal a credential with them.
await writeLocalEnv(stateDir, { ...file, ...pickFileSecrets(file, secrets) }, 'written by `pnpm start`');

const stack = await startStack({
  databaseUrl: config.DATABASE_URL,
  amqpUrl: config.AMQP_URL,
  queuePrefix: config.QUEUE_PREFIX,
  ports,
  output: 'inherit',
  secrets: {
    adminToken: secrets.TRIBUTARY_ADMIN_TOKEN,
    serviceToken: secrets.TRIBUTARY_SERVICE_TOKEN,
    extractToken: secrets.TRIBUTARY_EXTRACT_TOKEN,
    encryptionKey: secrets.TRIBUTARY_ENCRYPTION_KEY,
  },
  env: { simulator: { SIM_JIRA_ISSUES: config.SIM_JIRA_ISSUES, SIM_GITHUB_PRS: config.SIM_GITHUB_PRS } },
});
const seeded = await seedDemo({
  backendUrl: stack.urls.backend,
  adminToken: stack.adminToken,
  simulatorUrl: stack.urls.simulator,
  tenantToken: file.TRIBUTARY_TOKEN,
});

const session = {
  TRIBUTARY_URL: stack.urls.backend,
  SIMULATOR_URL: stack.urls.simulator,
  TRIBUTARY_ADMIN_TOKEN: stack.adminToken,
  TRIBUTARY_TOKEN: seeded.token,
};
await writeLocalEnv(stateDir, { ...pickFileSecrets(file, secrets), ...session }, 'written by `pnpm start`');
const shownPath = relative(process.cwd(), localEnvPath(stateDir)) || localEnvPath(stateDir);

console.log(`
Tributary is running.
  backend API      ${stack.urls.backend}   (OpenAPI: ${stack.urls.backend}/docs)
  extract service  ${stack.urls.extract}/breakers
  worker           ${stack.urls.worker}/metrics
  simulator        ${stack.urls.simulator}/_sim/truth/summary
  admin token      ${stack.adminToken}
  demo tenant      ${seeded.token}   (${seeded.createdTenant ? 'created now' : 'from the last start'}; integrations jira ${seeded.integrations.jira}, github ${seeded.integrations.github})
  runs             ${seeded.jobs.length > 0 ? `jobs ${seeded.jobs.join(', ')}` : 'already active from the last start'}

In another terminal: . ${shownPath}
or paste:
  export ${Object.entries(session)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ')}
Then: curl -H "authorization: Bearer $TRIBUTARY_TOKEN" "$TRIBUTARY_URL/api/v1/jobs"
Ctrl-C stops everything.
`);

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

/** The secrets the file keeps: its own, plus any generated now; never an env override. */
function pickFileSecrets(
  current: Record<string, string>,
  resolved: Record<string, string>,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const key of SECRET_KEYS) {
    const value = current[key] ?? (process.env[key] ? undefined : resolved[key]);
    if (value) kept[key] = value;
  }
  return kept;
}
