import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ENTRY, NODE_FLAGS, freePort, type ServiceName, type Stack } from '../../../scripts/stack.ts';
import { onEmergencyExit, signal } from '../../faults/support/cleanup.ts';
import { waitFor } from '../../support/wait.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** One more process of a stack's service (a second backend, a third worker), with its own port. */
export interface Replica {
  readonly name: string;
  readonly url: string;
  readonly pid: () => number | undefined;
  readonly logs: string[];
  kill: () => Promise<void>;
  stop: () => Promise<void>;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/**
 * Starts another replica of `service` with the stack's environment for it plus
 * `env` (a port of its own is always set), and waits for its /healthz.
 */
export async function startReplica(
  stack: Stack,
  service: Exclude<ServiceName, 'simulator'>,
  label: string,
  env: Record<string, string> = {},
): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, [...NODE_FLAGS[service], ENTRY[service]], {
    cwd: ROOT,
    env: { ...stack.env[service], PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const keep = (chunk: Buffer) => {
    if (process.env.FAULT_LOG_INHERIT) process.stdout.write(`[${label}] ${chunk.toString()}`);
    logs.push(chunk.toString());
    if (logs.length > 3000) logs.splice(0, 1000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const unregister = onEmergencyExit(() => signal(child.pid, 'SIGKILL'));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`${label} exited with ${child.exitCode}:\n${logs.join('').slice(-3000)}`);
      return fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      );
    },
    60_000,
    `${label} to answer /healthz`,
  );
  return {
    name: label,
    url,
    pid: () => (child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    logs,
    kill: async () => {
      child.kill('SIGKILL');
      await exited(child);
      unregister();
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited(child);
        clearTimeout(timer);
      }
      unregister();
    },
  };
}
