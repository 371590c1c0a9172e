import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '@tributary/contracts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export type ServiceName = 'backend' | 'worker' | 'extract' | 'simulator';

/**
 * Node flags per service. The extractor's old space is capped: it streams pages
 * through and keeps little, and a capped heap collects early instead of growing
 * towards the machine's default limit (peak RSS target < 256 MB).
 */
export const NODE_FLAGS: Record<ServiceName, readonly string[]> = {
  backend: [],
  worker: [],
  extract: ['--max-old-space-size=128', '--max-semi-space-size=8'],
  simulator: [],
};

/** The entry point each service runs (also for extra replicas a test starts). */
export const ENTRY: Record<ServiceName, string> = {
  backend: 'services/backend/src/main.ts',
  worker: 'services/backend/src/worker-main.ts',
  extract: 'services/extract/src/main.ts',
  simulator: 'services/simulator/src/main.ts',
};

export interface StackOptions {
  databaseUrl: string;
  amqpUrl: string;
  queuePrefix?: string;
  ports?: Partial<Record<'backend' | 'extract' | 'simulator' | 'worker', number>>;
  /** Extra env per service (e.g. simulator sizes, short retry tiers). */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Where child output goes: inherit (a person watching) or collected (tests). */
  output?: 'inherit' | 'collect';
  services?: readonly ServiceName[];
  /** Fixed secrets (`pnpm start` reuses them across restarts); else the env's, else random. */
  secrets?: { adminToken: string; serviceToken: string; extractToken: string; encryptionKey: string };
}

export interface Stack {
  urls: { backend: string; extract: string; simulator: string; worker: string };
  adminToken: string;
  serviceToken: string;
  /** What the backend presents to the extract service (`TRIBUTARY_EXTRACT_TOKEN`). */
  extractToken: string;
  env: Record<ServiceName, NodeJS.ProcessEnv>;
  logs: Record<ServiceName, string[]>;
  process: (name: ServiceName) => ChildProcess | undefined;
  start: (name: ServiceName) => Promise<void>;
  /** SIGKILL, no goodbye. */
  kill: (name: ServiceName) => Promise<void>;
  /** SIGTERM and wait for the exit; returns the exit code. */
  terminate: (name: ServiceName) => Promise<number | null>;
  stop: () => Promise<void>;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

/**
 * Runs Tributary as real processes (backend, worker, extract, simulator) on this
 * machine's Postgres and RabbitMQ: what `pnpm start` runs and what end-to-end and
 * fault tests kill and restart.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const ports = {
    backend: options.ports?.backend ?? (await freePort()),
    extract: options.ports?.extract ?? (await freePort()),
    simulator: options.ports?.simulator ?? (await freePort()),
    worker: options.ports?.worker ?? (await freePort()),
  };
  const urls = {
    worker: `http://127.0.0.1:${ports.worker}`,
    backend: `http://127.0.0.1:${ports.backend}`,
    extract: `http://127.0.0.1:${ports.extract}`,
    simulator: `http://127.0.0.1:${ports.simulator}`,
  };
  const adminToken =
    options.secrets?.adminToken ??
    process.env.TRIBUTARY_ADMIN_TOKEN ??
    `admin-${randomBytes(16).toString('hex')}`;
  const serviceToken =
    options.secrets?.serviceToken ??
    process.env.TRIBUTARY_SERVICE_TOKEN ??
    `service-${randomBytes(16).toString('hex')}`;
  const extractToken =
    options.secrets?.extractToken ??
    process.env.TRIBUTARY_EXTRACT_TOKEN ??
    `extract-${randomBytes(16).toString('hex')}`;
  const shared = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    DATABASE_URL: options.databaseUrl,
    AMQP_URL: options.amqpUrl,
    QUEUE_PREFIX: options.queuePrefix ?? '',
    TRIBUTARY_ADMIN_TOKEN: adminToken,
    TRIBUTARY_SERVICE_TOKEN: serviceToken,
    TRIBUTARY_EXTRACT_TOKEN: extractToken,
    TRIBUTARY_ENCRYPTION_KEY:
      options.secrets?.encryptionKey ??
      process.env.TRIBUTARY_ENCRYPTION_KEY ??
      randomBytes(32).toString('base64'),
    BACKEND_URL: urls.backend,
    EXTRACT_URL: urls.extract,
    ALLOW_PRIVATE_INTEGRATION_HOSTS: 'true',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...(process.env.LOG_FORMAT ? { LOG_FORMAT: process.env.LOG_FORMAT } : {}),
  };
  const env: Record<ServiceName, NodeJS.ProcessEnv> = {
    backend: { ...shared, PORT: String(ports.backend), HOST: '127.0.0.1', ...options.env?.backend },
    worker: { ...shared, PORT: String(ports.worker), HOST: '127.0.0.1', ...options.env?.worker },
    extract: { ...shared, PORT: String(ports.extract), HOST: '127.0.0.1', ...options.env?.extract },
    simulator: {
      PATH: shared.PATH,
      PORT: String(ports.simulator),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...options.env?.simulator,
    },
  };
  const logs: Record<ServiceName, string[]> = { backend: [], worker: [], extract: [], simulator: [] };
  const children = new Map<ServiceName, ChildProcess>();
  const readiness: Record<ServiceName, string> = {
    backend: `${urls.backend}/healthz`,
    extract: `${urls.extract}/healthz`,
    simulator: `${urls.simulator}/_sim/health`,
    worker: `${urls.worker}/healthz`,
  };

  const start = async (name: ServiceName) => {
    const child = spawn(process.execPath, [...NODE_FLAGS[name], ENTRY[name]], {
      cwd: ROOT,
      env: env[name],
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      if (options.output === 'inherit') process.stdout.write(`[${name}] ${chunk.toString()}`);
      logs[name].push(chunk.toString());
      if (logs[name].length > 5000) logs[name].splice(0, 1000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    children.set(name, child);
    await waitReady(readiness[name], child);
  };

  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });

  // Whatever ends this process (a crash, a closed terminal), its services end with it.
  const orphanGuard = () => {
    for (const child of children.values()) if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', orphanGuard);

  const stack: Stack = {
    urls,
    adminToken,
    serviceToken,
    extractToken,
    env,
    logs,
    process: (name) => children.get(name),
    start,
    kill: async (name) => {
      const child = children.get(name);
      if (!child) return;
      child.kill('SIGKILL');
      await exited(child);
    },
    terminate: async (name) => {
      const child = children.get(name);
      if (!child) return null;
      child.kill('SIGTERM');
      return exited(child);
    },
    stop: async () => {
      process.off('exit', orphanGuard);
      await Promise.all(
        [...children.values()].map(async (child) => {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            await exited(child);
            clearTimeout(timer);
          }
        }),
      );
    },
  };

  try {
    const order = options.services ?? (['simulator', 'backend', 'worker', 'extract'] as const);
    for (const name of order) await start(name);
  } catch (error) {
    await stack.stop();
    throw new Error(
      `stack failed to start: ${errorMessage(error)}\n${Object.entries(logs)
        .map(([n, l]) => `--- ${n}\n${l.join('').slice(-3000)}`)
        .join('\n')}`,
    );
  }
  return stack;
}
