/**
 * scripts/install-services.sh (run by bootstrap): on a machine without Postgres and
 * RabbitMQ it installs them from Debian's packages when root, else prints the exact
 * commands. apt-get, pg_ctlcluster and rabbitmq-server are stand-ins on a private
 * PATH (the machine's own services are shared and must not be touched).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/install-services.sh', import.meta.url));
let work: string;
let bin: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tributary-install-'));
  bin = join(work, 'bin');
  await mkdir(bin);
  for (const tool of ['bash', 'id', 'sed', 'ls', 'head', 'cat', 'chmod']) {
    const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    await symlink(found, join(bin, tool));
  }
  // "Installing" creates the service commands, which record how they were started.
  await writeFile(
    join(bin, 'apt-get'),
    `#!${join(bin, 'bash')}
echo "apt-get $*" >> ${work}/calls
if [ "$1" = install ]; then
  for name in pg_ctlcluster rabbitmq-server; do
    printf '#!${join(bin, 'bash')}\\necho "%s $*" >> ${work}/calls\\n' "$name" > ${bin}/$name
    chmod +x ${bin}/$name
  done
fi
`,
  );
  await chmod(join(bin, 'apt-get'), 0o755);
  await chmod(work, 0o755);
  await chmod(bin, 0o755);
  await mkdir(join(work, 'postgresql', '15', 'main'), { recursive: true });
  await writeFile(
    join(work, 'postgresql', '15', 'main', 'pg_hba.conf'),
    'local   all   postgres   peer\nhost    all   all   127.0.0.1/32   scram-sha-256\nhost    all   all   ::1/128   scram-sha-256\nhost    all   all   0.0.0.0/0   scram-sha-256\n',
  );
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

// Nothing listens on ports 1 and 2: "not answering".
const absent = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/tributary',
  AMQP_URL: 'amqp://guest:guest@127.0.0.1:2',
};

/**
 * The script (or a copy) in an empty environment but for the stand-ins' PATH, the absent services
 * and `env`, run by `as` (a command prefix; nothing: this process's user).
 */
function install(
  options: { script?: string; env?: Record<string, string>; as?: string[]; cwd?: string } = {},
) {
  const [command, ...prefix] = [...(options.as ?? []), 'env'];
  const env = { PATH: bin, ...options.env, ...absent };
  return spawnSync(
    command,
    [...prefix, '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'bash', options.script ?? SCRIPT],
    { encoding: 'utf8', ...(options.cwd ? { cwd: options.cwd } : {}) },
  );
}

describe('bootstrap on a machine without Postgres and RabbitMQ', () => {
  it('as a normal user, stops with the exact commands to run', async () => {
    // The normal user may not be able to enter the checkout (a clone under a mode-700 temporary
    // folder, as CI's can be): it runs a readable copy of the script.
    const script = join(work, 'install-services.sh');
    await copyFile(SCRIPT, script);
    await chmod(script, 0o755);
    const result = install({
      script,
      as: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
      cwd: work,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      'postgresql rabbitmq-server not installed and not answering (Postgres at 127.0.0.1:1, RabbitMQ at 127.0.0.1:2)',
    );
    expect(result.stdout).toContain(
      '  sudo apt-get update && sudo apt-get install -y postgresql rabbitmq-server\n',
    );
    expect(result.stdout).toContain('  sudo rabbitmq-server -detached\n');
  });

  it('as root on Debian, installs both from the distribution, trusts loopback and starts them', async () => {
    const result = install({ env: { PG_CONF_DIR: join(work, 'postgresql') } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect((await readFile(join(work, 'calls'), 'utf8')).split('\n').filter(Boolean)).toEqual([
      'apt-get update -q',
      'apt-get install -y -q postgresql rabbitmq-server',
      'pg_ctlcluster --skip-systemctl-redirect 15 main restart',
      'rabbitmq-server -detached',
    ]);
    expect(await readFile(join(work, 'postgresql', '15', 'main', 'pg_hba.conf'), 'utf8')).toBe(
      'local   all   postgres   peer\nhost    all   all   127.0.0.1/32   trust\nhost    all   all   ::1/128   trust\nhost    all   all   0.0.0.0/0   scram-sha-256\n',
    );
  });

  it('does nothing when both are installed', () => {
    const result = install();
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
  });
});
