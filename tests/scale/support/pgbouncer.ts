import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../../scripts/stack.ts';
import { onEmergencyExit, signal } from '../../faults/support/cleanup.ts';
import { waitFor } from '../../support/wait.ts';

const run = promisify(execFile);

/**
 * A PgBouncer of the test's own (Debian's `pgbouncer`) in transaction mode in
 * front of a Postgres server. It refuses to run as root, so it runs as the
 * `postgres` OS user on a temp directory owned by it.
 *
 * `ignore_startup_parameters = statement_timeout`: node-postgres sends the
 * pool's statement_timeout as a startup parameter, which PgBouncer 1.18 refuses
 * (it tracks only a few parameters per client); the server-side bound is then
 * the database's own setting (docs/scaling.md), the client-side query timeout
 * stays.
 */
export interface Bouncer {
  /** `postgres://…@127.0.0.1:<port>/<database>` through the bouncer. */
  urlFor: (database: string) => string;
  /** Rows of an admin console command (`SHOW POOLS`, `SHOW STATS`). */
  admin: (command: string) => Promise<Record<string, unknown>[]>;
  stop: () => Promise<void>;
}

export async function startBouncer(
  server: { host: string; port: number },
  poolSize: number,
): Promise<Bouncer> {
  const bin = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((path) => existsSync(path));
  if (!bin) throw new Error('pgbouncer is not installed (Debian package `pgbouncer`; .ci/run installs it)');
  const dir = mkdtempSync(join(tmpdir(), 'tribscale-pgb-'));
  const port = await freePort();
  writeFileSync(join(dir, 'users.txt'), '"postgres" ""\n');
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.host} port=${server.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'admin_users = postgres',
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 500',
      'ignore_startup_parameters = statement_timeout,extra_float_digits',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  chmodSync(dir, 0o755);
  const { uid, gid } = await postgresIds();
  for (const file of ['', 'users.txt', 'pgbouncer.ini']) chownSync(join(dir, file), uid, gid);
  const child: ChildProcess = spawn('runuser', ['-u', 'postgres', '--', bin, join(dir, 'pgbouncer.ini')], {
    stdio: 'ignore',
  });
  const bouncerPid = () => {
    try {
      return Number(readFileSync(join(dir, 'pgbouncer.pid'), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  };
  const unregister = onEmergencyExit(() => {
    signal(bouncerPid(), 'SIGKILL');
    signal(child.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const admin = async (command: string) => {
    const client = new pg.Client({ connectionString: urlFor('pgbouncer') });
    await client.connect();
    try {
      // No parameters: node-postgres sends it as a simple query, the only protocol the admin console speaks.
      return (await client.query<Record<string, unknown>>(command)).rows;
    } finally {
      await client.end();
    }
  };
  await waitFor(
    async () =>
      admin('SHOW VERSION').then(
        () => true,
        () => false,
      ),
    20_000,
    'pgbouncer to take connections',
  );
  return {
    urlFor,
    admin,
    stop: async () => {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        // SIGTERM to pgbouncer itself (not runuser): immediate shutdown, clients cut.
        const pid = bouncerPid();
        signal(pid, 'SIGTERM');
        setTimeout(() => {
          signal(pid, 'SIGKILL');
          child.kill('SIGKILL');
        }, 10_000).unref();
      });
      rmSync(dir, { recursive: true, force: true });
      unregister();
    },
  };
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('id', ['-u', 'postgres']),
    run('id', ['-g', 'postgres']),
  ]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
