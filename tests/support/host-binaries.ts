import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Test files that start their own Postgres, RabbitMQ or PgBouncer from the host's packages, and
 * the programs they run. Each need is a path, a name looked up on PATH, or a list of alternatives.
 * CI installs these (scripts/ensure-services.sh, .ci/run); a laptop may not have them.
 */
const PG = '/usr/lib/postgresql/15/bin';
const RABBIT = '/usr/lib/rabbitmq/bin';
const ownPostgres = [`${PG}/initdb`, `${PG}/pg_ctl`, `${PG}/postgres`, 'runuser'];
const ownRabbit = [`${RABBIT}/rabbitmq-server`, `${RABBIT}/rabbitmqctl`, 'runuser'];

export const HOST_NEEDS: Record<string, (string | string[])[]> = {
  'tests/faults/broker.test.ts': ownRabbit,
  'tests/faults/broker-down-runs.test.ts': ownRabbit,
  'tests/faults/database.test.ts': ownPostgres,
  'tests/faults/database-hang.test.ts': ownPostgres,
  'tests/scale/cluster.test.ts': [...ownRabbit, 'ss'],
  'tests/scale/pgbouncer.test.ts': [['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'], 'runuser'],
};

/** Set by CI: a missing program is then a failure, never a skip. */
export const REQUIRE_ENV = 'TRIBUTARY_REQUIRE_HOST_SUITES';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function found(need: string): boolean {
  if (need.includes('/')) return executable(need);
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && executable(join(dir, need)));
}

/** The needs of `file` this host lacks (an alternatives list is reported joined with " or "). */
export function missingFor(
  file: string,
  needs: Record<string, (string | string[])[]> = HOST_NEEDS,
): string[] {
  return (needs[file] ?? [])
    .filter((need) => !(Array.isArray(need) ? need.some(found) : found(need)))
    .map((need) => (Array.isArray(need) ? need.join(' or ') : need));
}

/**
 * The files of `prefix` (e.g. `tests/faults/`) to leave out on this host, printing why; throws
 * instead when `REQUIRE_ENV` is set, so CI cannot pass by skipping them.
 */
export function filesToSkip(
  prefix: string,
  env: NodeJS.ProcessEnv = process.env,
  needs: Record<string, (string | string[])[]> = HOST_NEEDS,
): string[] {
  const skipped: string[] = [];
  for (const file of Object.keys(needs).filter((f) => f.startsWith(prefix))) {
    const missing = [...new Set(missingFor(file, needs))];
    if (missing.length === 0) continue;
    if (env[REQUIRE_ENV] === '1') {
      throw new Error(
        `${file} needs ${missing.join(', ')}, which this host lacks (${REQUIRE_ENV}=1: not skipping)`,
      );
    }
    console.warn(
      `skipping ${file}: this host lacks ${missing.join(', ')} (install them, or set ${REQUIRE_ENV}=1 to fail instead)`,
    );
    skipped.push(file);
  }
  return skipped;
}
