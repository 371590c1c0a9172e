/**
 * `pnpm start`: the whole Tributary stack as local processes on this machine's
 * Postgres and RabbitMQ (for machines without Docker), seeded with a demo tenant
 * whose Jira and GitHub integrations point at the simulator. Ctrl-C stops it.
 */
import pg from 'pg';
import { startStack } from './stack.ts';
import { seedDemo } from './seed-demo.ts';

// A closed terminal must not crash us with EPIPE while services are still running.
process.stdout.on('error', () => undefined);

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tributary';
const amqpUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

// Create the database on first start; migrations run when the backend starts.
const target = new URL(databaseUrl);
const database = target.pathname.slice(1);
const server = new URL(databaseUrl);
server.pathname = '/postgres';
const admin = new pg.Client({ connectionString: server.toString() });
await admin.connect();
const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
if (exists.rowCount === 0) await admin.query(`create database "${database.replaceAll('"', '')}"`);
await admin.end();

const stack = await startStack({
  databaseUrl,
  amqpUrl,
  ports: { backend: 8080, extract: 8081, worker: 8082, simulator: 8090 },
  output: 'inherit',
  env: {
    simulator: {
      SIM_JIRA_ISSUES: process.env.SIM_JIRA_ISSUES ?? '500',
      SIM_GITHUB_PRS: process.env.SIM_GITHUB_PRS ?? '200',
    },
  },
});
const seeded = await seedDemo({ backendUrl: stack.urls.backend, adminToken: stack.adminToken, simulatorUrl: stack.urls.simulator });

console.log(`
Tributary is running.
  backend API      ${stack.urls.backend}   (OpenAPI: ${stack.urls.backend}/docs)
  extract service  ${stack.urls.extract}/breakers
  worker           ${stack.urls.worker}/metrics
  simulator        ${stack.urls.simulator}/_sim/truth/summary
  admin token      ${stack.adminToken}
  demo tenant      ${seeded.token}
  first runs       jobs ${seeded.jobs.join(', ')} — watch: curl -H "authorization: Bearer ${seeded.token}" ${stack.urls.backend}/api/v1/jobs
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
