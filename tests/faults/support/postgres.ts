import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { hearClientErrors } from '@tributary/db';
import { freePort } from '../../../scripts/stack.ts';
import { alive, onEmergencyExit, signal } from './cleanup.ts';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A Postgres cluster of the fault test's own (never the shared one on 5432), so
 * the test can stop it hard, restart it, or freeze one of its backends.
 *
 * Recipe (Postgres 15, tests run as root): initdb refuses root, so every command
 * runs as the `postgres` OS user (`runuser -u postgres -- …`) on a temp directory
 * owned by it; trust auth, `listen_addresses=127.0.0.1`, a free port, and the
 * unix socket in the temp directory. Fault: `pg_ctl stop -m immediate` (no
 * checkpoint, like a crash; the next start runs recovery). Hang: SIGSTOP a
 * backend process (a `pg_stat_activity.pid`), SIGCONT to let it go.
 */
export interface FaultPostgres {
  /** URL of database `tributary` on this cluster. */
  readonly url: string;
  readonly port: number;
  /** Starts the cluster again on the same data directory. */
  start: () => Promise<void>;
  /** `pg_ctl stop -m immediate`. */
  stopImmediate: () => Promise<void>;
  /** SIGSTOP / SIGCONT a server process; every paused pid is resumed by cleanup. */
  pause: (pid: number) => void;
  resume: (pid: number) => void;
  /** Stops the cluster and deletes its directory; idempotent. */
  cleanup: () => Promise<void>;
}

export async function startPostgres(): Promise<FaultPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'tribfault-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  chownSync(dir, Number(uid.trim()), Number(gid.trim()));
  chmodSync(dir, 0o700);
  const asPostgres = (bin: string, args: string[], timeoutMs = 60_000) =>
    run('runuser', ['-u', 'postgres', '--', join(BIN, bin), ...args], { cwd: '/tmp', timeout: timeoutMs });
  const paused = new Set<number>();
  const postmasterPid = () => {
    try {
      return Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
    } catch {
      return undefined;
    }
  };
  const unregister = onEmergencyExit(() => {
    for (const pid of paused) signal(pid, 'SIGCONT');
    signal(postmasterPid(), 'SIGQUIT'); // immediate shutdown; children follow
    rmSync(dir, { recursive: true, force: true });
  });

  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c max_connections=100`;
  const fault: FaultPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/tributary`,
    port,
    start: async () => {
      await asPostgres(
        'pg_ctl',
        ['start', '-D', data, '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', options],
        90_000,
      );
    },
    stopImmediate: async () => {
      await asPostgres('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
    },
    pause: (pid) => {
      paused.add(pid);
      signal(pid, 'SIGSTOP');
    },
    resume: (pid) => {
      paused.delete(pid);
      signal(pid, 'SIGCONT');
    },
    cleanup: async () => {
      for (const pid of paused) signal(pid, 'SIGCONT');
      paused.clear();
      const pid = postmasterPid();
      if (alive(pid))
        await asPostgres('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() =>
          signal(pid, 'SIGQUIT'),
        );
      rmSync(dir, { recursive: true, force: true });
      unregister();
    },
  };
  try {
    await asPostgres(
      'initdb',
      ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
      120_000,
    );
    await fault.start();
    const client = hearClientErrors(
      new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` }),
    );
    await client.connect();
    await client.query('create database tributary');
    await client.end();
  } catch (error) {
    await fault.cleanup();
    throw error;
  }
  return fault;
}
