import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync, readFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../../scripts/stack.ts';
import { alive, onEmergencyExit, signal } from './cleanup.ts';
import { errorMessage } from '@tributary/contracts';

const run = promisify(execFile);

/**
 * A RabbitMQ node of the fault test's own, so the test can SIGKILL, stop and
 * restart a broker without touching the machine's shared one on 5672.
 *
 * Recipe that works here (RabbitMQ 3.10.8, Erlang 25, Debian packaging, tests run as root):
 * - Run the real scripts in /usr/lib/rabbitmq/bin as the `rabbitmq` OS user
 *   (`runuser -u rabbitmq -- env HOME=/var/lib/rabbitmq …`), so the node and the
 *   CLI share the cookie in /var/lib/rabbitmq/.erlang.cookie. (/usr/sbin/rabbitmqctl
 *   is a wrapper that `su`s to rabbitmq anyway.) The temp dir is owned by rabbitmq.
 * - Give the node its own config file: the system /etc/rabbitmq/rabbitmq.conf
 *   pins `listeners.tcp.local = 127.0.0.1:5672`, which would collide with the
 *   shared broker. So RABBITMQ_CONFIG_FILE = <tmp>/rabbitmq.conf with
 *   `listeners.tcp.1 = 127.0.0.1:<port>` (do NOT also set RABBITMQ_NODE_PORT:
 *   that adds a second listener on the same port → eaddrinuse), and
 *   RABBITMQ_CONF_ENV_FILE pointing at a file that does not exist (the system
 *   rabbitmq-env.conf sets NODENAME=rabbit@localhost).
 * - RABBITMQ_DIST_PORT = a free port. Avoid 35672–35682: the CLI tools take
 *   their own distribution ports from that range (25672 + 10000).
 * - RABBITMQ_ENABLED_PLUGINS_FILE = <tmp>/enabled_plugins containing `[].`
 *   (no management plugin, no port 15672 clash).
 * - `rabbitmq-server -detached`, then `rabbitmqctl -n <node> wait <pidfile>`
 *   (await_startup fails at once while the node is not yet registered in epmd).
 *   Start-up takes about 7 s on this machine.
 * - Fault: SIGKILL the pid from RABBITMQ_PID_FILE. Restart with the same
 *   RABBITMQ_MNESIA_BASE: durable quorum queues and their messages come back.
 * - Graceful: `rabbitmqctl -n <node> stop`; `close_all_connections "<reason>"`.
 */
export interface FaultRabbit {
  /** AMQP URL of this node (guest over loopback). */
  readonly url: string;
  readonly node: string;
  readonly pid: () => number | undefined;
  /** Starts the node (again, on the same data directory) and waits until it takes connections. */
  start: () => Promise<void>;
  /** SIGKILL: no goodbye to clients, unsynced state lost as in a power cut. */
  kill: () => Promise<void>;
  /** Graceful `rabbitmqctl stop`. */
  stop: () => Promise<void>;
  /** `rabbitmqctl close_all_connections`: every client sees a connection.close from the broker. */
  closeAllConnections: (reason: string) => Promise<void>;
  /** Stops the node (if up) and deletes its directory; idempotent. */
  cleanup: () => Promise<void>;
  /** Runs `rabbitmqctl -n <node> …` (as the rabbitmq user, sharing its Erlang cookie); returns stdout. */
  ctl: (args: string[], timeoutMs?: number) => Promise<string>;
  /** Runs another CLI tool of the node (`rabbitmq-queues`, `rabbitmq-diagnostics`) with `-n <node>`; returns stdout. */
  cli: (
    tool: 'rabbitmq-queues' | 'rabbitmq-diagnostics',
    args: string[],
    timeoutMs?: number,
  ) => Promise<string>;
}

const RABBIT_BIN = '/usr/lib/rabbitmq/bin';
let counter = 0;

export async function startRabbit(): Promise<FaultRabbit> {
  const dir = mkdtempSync(join(tmpdir(), 'tribfault-rmq-'));
  const port = await freePort();
  let distPort = await freePort();
  while (distPort >= 35672 && distPort <= 35682) distPort = await freePort();
  const node = `tribfault${process.pid}x${++counter}@localhost`;
  const { uid, gid } = await rabbitmqIds();
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.1 = 127.0.0.1:${port}\nloopback_users = none\n`);
  chmodSync(dir, 0o755);
  for (const file of ['', 'enabled_plugins', 'rabbitmq.conf']) chownSync(join(dir, file), uid, gid);
  const pidFile = join(dir, 'pid');
  const env = [
    'HOME=/var/lib/rabbitmq',
    `RABBITMQ_NODENAME=${node}`,
    `RABBITMQ_DIST_PORT=${distPort}`,
    `RABBITMQ_MNESIA_BASE=${join(dir, 'mnesia')}`,
    `RABBITMQ_LOG_BASE=${join(dir, 'log')}`,
    `RABBITMQ_PID_FILE=${pidFile}`,
    `RABBITMQ_ENABLED_PLUGINS_FILE=${join(dir, 'enabled_plugins')}`,
    `RABBITMQ_CONFIG_FILE=${join(dir, 'rabbitmq.conf')}`,
    `RABBITMQ_CONF_ENV_FILE=${join(dir, 'no-rabbitmq-env.conf')}`,
  ];
  const asRabbit = (script: string, args: string[], timeoutMs = 90_000) =>
    run('runuser', ['-u', 'rabbitmq', '--', 'env', ...env, join(RABBIT_BIN, script), ...args], {
      cwd: '/tmp',
      timeout: timeoutMs,
    });
  const ctl = (args: string[], timeoutMs?: number) =>
    asRabbit('rabbitmqctl', ['-n', node, ...args], timeoutMs);

  let pid: number | undefined;
  const readPid = () => {
    try {
      return Number(readFileSync(pidFile, 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  };
  const waitExit = async (target: number | undefined, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (alive(target) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  };
  const unregister = onEmergencyExit(() => {
    signal(pid ?? readPid(), 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const rabbit: FaultRabbit = {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    node,
    pid: () => pid,
    start: async () => {
      rmSync(pidFile, { force: true });
      await asRabbit('rabbitmq-server', ['-detached']);
      try {
        await ctl(['wait', pidFile, '--timeout', '60'], 90_000);
      } catch (error) {
        let log = '';
        try {
          log = readFileSync(join(dir, 'log', `${node}.log`), 'utf8').slice(-3000);
        } catch {
          // no log yet
        }
        throw new Error(`RabbitMQ node ${node} did not start: ${errorMessage(error)}\n${log}`);
      }
      pid = readPid();
    },
    kill: async () => {
      const target = pid ?? readPid();
      signal(target, 'SIGKILL');
      await waitExit(target);
      pid = undefined;
    },
    stop: async () => {
      const target = pid ?? readPid();
      await ctl(['stop'], 60_000);
      await waitExit(target);
      pid = undefined;
    },
    closeAllConnections: async (reason) => {
      await ctl(['close_all_connections', reason]);
    },
    ctl: async (args, timeoutMs) => (await ctl(args, timeoutMs)).stdout,
    cli: async (tool, args, timeoutMs) => (await asRabbit(tool, ['-n', node, ...args], timeoutMs)).stdout,
    cleanup: async () => {
      const target = pid ?? readPid();
      if (alive(target)) {
        await ctl(['stop'], 30_000).catch(() => undefined);
        await waitExit(target, 15_000);
        signal(target, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
      unregister();
    },
  };
  try {
    await rabbit.start();
  } catch (error) {
    await rabbit.cleanup();
    throw error;
  }
  return rabbit;
}

async function rabbitmqIds(): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('id', ['-u', 'rabbitmq']),
    run('id', ['-g', 'rabbitmq']),
  ]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
