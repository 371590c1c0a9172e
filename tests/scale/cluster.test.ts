import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { names } from '@tributary/queue';
import { startFaultStack, withLogs, type FaultStack, type Job } from '../faults/support/harness.ts';
import { installSleepTriggers, setSleep, waitForSleepingWorker } from '../faults/support/db-faults.ts';
import {
  connectLive,
  eventsOf,
  jobEvents,
  type LiveClient,
} from '../../services/backend/src/events/live-client.ts';
import { ApiClient } from '../support/api-client.ts';
import { waitFor } from '../support/wait.ts';
import { startCluster, type Cluster } from './support/cluster.ts';
import { startReplica, type Replica } from './support/replicas.ts';
import { ownerOfPort, processesHoldingDeliveries } from './support/sockets.ts';
import { valuesAgainstTruth } from './support/truth-values.ts';

// Scale-out on one machine: a 3-node RabbitMQ cluster (quorum queues on every
// node), two backends on one database, three workers and two extractors, each
// process on its own preferred node with the others as failover. Mid-run the
// node leading etl.transform is SIGKILLed, then the worker that is inside a batch
// transaction, then an extractor holding a job; the runs of two tenants finish
// with the simulator's truth, nothing twice, nothing dead-lettered.
let cluster: Cluster;
let fault: FaultStack;
let tenantB: ApiClient;
let backend2: Replica;
const replicas: Replica[] = [];

const TERMINAL = ['FINISHED', 'FAILED', 'CANCELLED'];

beforeAll(async () => {
  cluster = await startCluster(3);
  fault = await startFaultStack({
    amqpUrl: cluster.urls(0),
    // Extractors heartbeat every second; a silent one's job is taken over after 4 s (harness defaults).
    env: {
      worker: { AMQP_URL: cluster.urls(0), DB_POOL_MAX: '4' },
      // A job message redelivered while its first extractor still runs it waits through the
      // (short, test) delay tiers until that extractor is done: give it room to wait.
      extract: { AMQP_URL: cluster.urls(1), EXTRACT_MAX_ATTEMPTS: '200', SOURCE_TIMEOUT_MS: '30000' },
      backend: { DB_POOL_MAX: '5' },
    },
    simulator: { SIM_JIRA_ISSUES: '200', SIM_GITHUB_PRS: '24' },
  });
  backend2 = await startReplica(fault.stack, 'backend', 'backend2', {
    AMQP_URL: cluster.urls(1),
    DB_POOL_MAX: '5',
  });
  replicas.push(backend2);
  replicas.push(
    await startReplica(fault.stack, 'worker', 'worker2', { AMQP_URL: cluster.urls(1), DB_POOL_MAX: '4' }),
  );
  replicas.push(
    await startReplica(fault.stack, 'worker', 'worker3', { AMQP_URL: cluster.urls(2), DB_POOL_MAX: '4' }),
  );
  // The second extractor talks to the second backend.
  replicas.push(
    await startReplica(fault.stack, 'extract', 'extract2', {
      AMQP_URL: cluster.urls(2),
      BACKEND_URL: backend2.url,
    }),
  );
  await installSleepTriggers(fault.pool);
  const admin = new ApiClient(backend2.url, fault.stack.adminToken);
  const created = await admin.ok<{ token: string }>('POST', '/api/v1/tenants', { name: 'scale-b' });
  tenantB = new ApiClient(backend2.url, created.token);
}, 300_000);

afterAll(async () => {
  for (const replica of replicas) await replica.stop();
  await fault?.close();
  await cluster?.cleanup();
});

const pidOf = (name: 'worker' | 'extract') => fault.stack.process(name)?.pid;

function logs(): string {
  return replicas.map((r) => `--- ${r.name}\n${r.logs.join('').slice(-2000)}`).join('\n');
}

async function waitJobs(clients: [ApiClient, number][]): Promise<Job[]> {
  return waitFor(
    async () => {
      const jobs = await Promise.all(
        clients.map(([client, id]) => client.ok<Job>('GET', `/api/v1/jobs/${id}`).catch(() => null)),
      );
      return jobs.every((job) => job && TERMINAL.includes(job.status)) ? (jobs as Job[]) : null;
    },
    180_000,
    'every run to end',
  );
}

describe('scale-out: 3-node RabbitMQ cluster, 2 backends, 3 workers, 2 extractors', () => {
  it('survives the etl.transform leader node, a worker and an extractor SIGKILLed mid-run', async () => {
    await withLogs(fault, async () => {
      try {
        const transformQueue = names(fault.prefix).transform;
        // Declared after the cluster formed: a quorum member on each of the three nodes.
        expect(await cluster.membersOf(transformQueue, 0)).toEqual(cluster.nodes.map((n) => n.node).sort());

        const a = { jira: await fault.register('jira'), github: await fault.register('github') };
        const b = {
          jira: await fault.register('jira', tenantB),
          github: await fault.register('github', tenantB),
        };
        // GitHub extraction is held until the extractor kill below — every PR's commits (REST) and
        // every GraphQL query (pull requests are read over GraphQL by default) answer after 20 s
        // (under the 30 s source timeout), so a GitHub job needs minutes while the rules stand —
        // and an extractor is surely mid-job then; Jira runs flow freely.
        await fault.sim.ok('POST', '/_sim/faults', {
          path: 're:/pulls/\\d+/commits$',
          kind: 'latency',
          latency_ms: 20_000,
        });
        await fault.sim.ok('POST', '/_sim/faults', { path: '/graphql', kind: 'latency', latency_ms: 20_000 });
        // Every batch's status update waits 2 s inside its transaction: a worker is mid-batch whenever the test looks.
        await setSleep(fault.pool, 'before_commit', 2000);

        // Runs triggered on either backend.
        const runs: [ApiClient, number][] = [
          [fault.api, await fault.startRun(a.jira)],
          [fault.api, await fault.startRun(a.github)],
          [
            tenantB,
            (await tenantB.ok<{ job_id: number }>('POST', `/api/v1/integrations/${b.jira}/runs`, {})).job_id,
          ],
          [
            tenantB,
            (await tenantB.ok<{ job_id: number }>('POST', `/api/v1/integrations/${b.github}/runs`, {}))
              .job_id,
          ],
        ];

        // 1. The node leading etl.transform, while a batch is in flight.
        await waitForSleepingWorker(fault.pool, 'update raw_extraction_data set status');
        const leader = await cluster.leaderOf(transformQueue);
        await cluster.nodes[leader]!.kill();
        const survivor = (leader + 1) % 3;
        const survivors = cluster.nodes
          .filter((_, i) => i !== leader)
          .map((n) => n.node)
          .sort();
        // The peers see the node down as soon as its distribution sockets close.
        await waitFor(
          async () => JSON.stringify(await cluster.runningNodes(survivor)) === JSON.stringify(survivors),
          60_000,
          'the cluster to report two nodes',
        );
        // A new leader on a surviving node.
        const newLeader = await waitFor(
          async () => {
            const index = await cluster.leaderOf(transformQueue).catch(() => -1);
            return index >= 0 && index !== leader ? index + 1 : null;
          },
          60_000,
          'a new etl.transform leader',
        );
        expect(newLeader - 1).not.toBe(leader);

        // 2. The worker that is inside a batch transaction now (after the failover, so workers reconnected).
        const workerPids = [
          pidOf('worker'),
          ...replicas.filter((r) => r.name.startsWith('worker')).map((r) => r.pid()),
        ].filter((pid): pid is number => pid !== undefined);
        const sleepingBackend = await waitForSleepingWorker(
          fault.pool,
          'update raw_extraction_data set status',
        );
        const { rows } = await fault.pool.query<{ client_port: number }>(
          'select client_port from pg_stat_activity where pid = $1',
          [sleepingBackend],
        );
        const victimWorker = await ownerOfPort(rows[0]!.client_port, workerPids);
        expect(victimWorker).toBeDefined();
        await killProcess(victimWorker!);
        await setSleep(fault.pool, 'before_commit', 0);

        // 3. An extractor holding an extract message, while GitHub commit requests are being held.
        await waitFor(
          async () =>
            ((await fault.sim.ok<{ faults: { latency?: number } }>('GET', '/_sim/stats')).faults.latency ??
              0) > 0,
          60_000,
          'a held GitHub request',
        );
        const extractPids = [pidOf('extract'), replicas.find((r) => r.name === 'extract2')?.pid()].filter(
          (pid): pid is number => pid !== undefined,
        );
        const holders = await waitFor(
          async () => {
            const found = await processesHoldingDeliveries(cluster, survivor, extractPids);
            return found.length > 0 ? found : null;
          },
          60_000,
          'an extractor holding a job',
        );
        const extracting = await fault.count(
          `select 1 from etl_jobs where status = 'RUNNING' and extraction_finished_at is null`,
        );
        expect(extracting).toBeGreaterThan(0);
        await killProcess(holders[0]!);
        await fault.sim.ok('DELETE', '/_sim/faults');

        const jobs = await waitJobs(runs);
        expect(
          jobs.map((j) => ({ status: j.status, error: j.error, records_failed: j.records_failed })),
        ).toEqual(jobs.map(() => ({ status: 'FINISHED', error: null, records_failed: 0 })));
        // Counts, nothing stored twice, nothing left pending, every raw row transformed exactly once.
        await fault.expectMatchesTruth(a);
        await fault.expectMatchesTruth(b);
        // And by value, for each tenant's integrations.
        for (const integrations of [a, b]) {
          const values = await valuesAgainstTruth(fault.pool, fault.sim, integrations);
          expect(values.issues.got).toEqual(values.issues.want);
          expect(values.pulls.got).toEqual(values.pulls.want);
          expect(values.samples.got).toEqual(values.samples.want);
        }
        expect(await fault.deadLetters()).toEqual([]);
        // Each tenant sees its own two runs, through either backend.
        const listed = async (client: ApiClient) =>
          (await client.ok<{ jobs: { id: number }[] }>('GET', '/api/v1/jobs')).jobs
            .map((j) => j.id)
            .sort((x, y) => x - y);
        expect(await listed(new ApiClient(backend2.url, fault.api.token))).toEqual(
          [runs[0]![1], runs[1]![1]].sort((x, y) => x - y),
        );
        expect(await listed(new ApiClient(fault.stack.urls.backend, tenantB.token))).toEqual(
          [runs[2]![1], runs[3]![1]].sort((x, y) => x - y),
        );

        // The cluster served all this on two nodes; the third comes back and rejoins.
        expect(await cluster.runningNodes(survivor)).toEqual(survivors);
        await cluster.nodes[leader]!.start();
        await waitFor(
          async () => (await cluster.runningNodes(survivor)).length === 3,
          60_000,
          'the killed node to rejoin',
        );
        expect(await cluster.membersOf(transformQueue, leader)).toEqual(
          cluster.nodes.map((n) => n.node).sort(),
        );
      } catch (error) {
        if (error instanceof Error) error.message += `\n${logs()}`;
        throw error;
      }
    });
  });

  it('two backends on one database: a schedule tick fires once, runs start on either, /events pushes from either', async () => {
    // Tenant A (the harness's) watches the live channel of the first backend, tenant B that of the second.
    const watchA = await connectLive(fault.stack.urls.backend, fault.api.token);
    const watchB = await connectLive(backend2.url, tenantB.token);
    try {
      await withLogs(fault, async () => {
        const helloA = await waitFor(
          async () => eventsOf(watchA, 'hello')[0],
          15_000,
          'hello on the first backend',
        );
        const helloB = await waitFor(
          async () => eventsOf(watchB, 'hello')[0],
          15_000,
          'hello on the second backend',
        );
        expect([helloA.admin, typeof helloA.tenant_id, helloB.admin, typeof helloB.tenant_id]).toEqual([
          false,
          'number',
          false,
          'number',
        ]);
        expect(helloB.tenant_id).not.toBe(helloA.tenant_id);

        const jira = await fault.register('jira');
        // A yearly cron whose last tick is due: both backends (1 s scheduler ticks) see it, one claims it.
        await fault.api.ok('PATCH', `/api/v1/integrations/${jira}`, { schedule: '0 0 1 1 *' });
        // (Whole seconds: the scheduler compares the column with the JS Date it read, which has no microseconds.)
        await fault.pool.query(
          `update integrations set last_scheduled_at = date_trunc('second', now()) - interval '400 days' where id = $1`,
          [jira],
        );
        const scheduled = await waitFor(
          async () =>
            (
              await fault.pool.query<{ id: number }>(
                `select id from etl_jobs where integration_id = $1 and trigger = 'schedule'`,
                [jira],
              )
            ).rows[0]?.id,
          30_000,
          'the scheduled run',
        );
        const done = await fault.waitJob(scheduled);
        expect(done).toMatchObject({ status: 'FINISHED', error: null });
        // Both schedulers ticked every second while that run went on; still one run for that tick.
        expect(
          await fault.count(`select 1 from etl_jobs where integration_id = $1 and trigger = 'schedule'`, [
            jira,
          ]),
        ).toBe(1);
        // A manual run through the other backend, for the same tenant.
        const viaSecond = new ApiClient(backend2.url, fault.api.token);
        const { status, body } = await viaSecond.request<{ job_id: number }>(
          'POST',
          `/api/v1/integrations/${jira}/runs`,
          {},
        );
        expect(status).toBe(202);
        const manual = body.job_id;
        expect(await fault.waitJob(manual)).toMatchObject({ status: 'FINISHED', error: null });

        // The first backend pushed to tenant A every status of the run created through the second:
        // the extractor's claim (RUNNING) and the worker's (or extractor's) last commit (FINISHED).
        for (const jobId of [scheduled, manual]) {
          const finished = await waitFor(
            async () =>
              jobEvents(watchA, jobId).find((m) => m.type === 'job_status' && jobOf(m).status === 'FINISHED'),
            30_000,
            `job_status FINISHED of job ${jobId} on the first backend`,
          );
          expect(finished.job).toMatchObject({
            id: jobId,
            integration_id: jira,
            status: 'FINISHED',
            error: null,
            records_failed: 0,
          });
          // The rows are re-read when notified, so an event carries the status at that moment: a short
          // run's RUNNING may already read FINISHED (seen in CI). What must hold is the order, ending
          // in FINISHED (set by whichever process committed the end: worker or the other backend).
          expect(statusesOf(watchA, jobId)).toMatch(/^(PENDING,)?(RUNNING,)?FINISHED$/);
        }

        // Tenant B's own run, through the first backend this time: once its FINISHED reached B's socket
        // on the second backend, whatever of tenant A's (notified before it) leaked there has arrived.
        const tenantBViaFirst = new ApiClient(fault.stack.urls.backend, tenantB.token);
        const bJira = await fault.register('jira', tenantB);
        const bRun = (
          await tenantBViaFirst.ok<{ job_id: number }>('POST', `/api/v1/integrations/${bJira}/runs`, {})
        ).job_id;
        await waitFor(
          async () =>
            jobEvents(watchB, bRun).find((m) => m.type === 'job_status' && jobOf(m).status === 'FINISHED'),
          180_000,
          `job_status FINISHED of tenant B's job ${bRun} on the second backend`,
        );
        expect(statusesOf(watchB, bRun)).toMatch(/^(PENDING,)?(RUNNING,)?FINISHED$/);
        // Nothing of tenant A on B's socket: no event about A's jobs, no job event of another tenant's job at all.
        const seenByB = [
          ...new Set(
            watchB.messages
              .filter((m) => m.type === 'job_status' || m.type === 'progress_update')
              .map((m) => jobOf(m).id),
          ),
        ];
        expect(seenByB).toContain(bRun);
        expect(seenByB).not.toContain(scheduled);
        expect(seenByB).not.toContain(manual);
        expect(
          await fault.count(`select 1 from etl_jobs where id = any($1::bigint[]) and tenant_id <> $2`, [
            seenByB,
            helloB.tenant_id,
          ]),
        ).toBe(0);
        expect(eventsOf(watchB, 'dead_letter')).toEqual([]);
      });
    } finally {
      watchA.close();
      watchB.close();
    }
  });
});

const jobOf = (event: LiveClient['messages'][number]) => event.job as { id: number; status: string };

/** The statuses of a job's job_status events on a socket, repeats dropped (a re-read may find the status unchanged): "PENDING,RUNNING,FINISHED". */
function statusesOf(client: LiveClient, jobId: number): string {
  const statuses = jobEvents(client, jobId)
    .filter((m) => m.type === 'job_status')
    .map((m) => jobOf(m).status);
  return statuses.filter((s, i) => s !== statuses[i - 1]).join(',');
}

async function killProcess(pid: number): Promise<void> {
  for (const name of ['worker', 'extract'] as const) {
    if (fault.stack.process(name)?.pid === pid) return fault.stack.kill(name);
  }
  const replica = replicas.find((r) => r.pid() === pid);
  if (!replica) throw new Error(`pid ${pid} is none of the test's processes`);
  await replica.kill();
}
