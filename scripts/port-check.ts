/**
 * Finds out, before anything starts, whether the stack's ports are free, and if
 * not who holds them: a second `pnpm start` used to fail later with a puzzling
 * 401 from the first stack's backend.
 */
import { createServer } from 'node:net';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface PortInUse {
  name: string;
  port: number;
  /** e.g. `node (pid 1234): node scripts/start-stack.ts`, when the holder can be found. */
  holder: string | null;
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function run(command: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 3000 }, (error, stdout) => resolve(error ? null : stdout));
  });
}

/** The process listening on a TCP port, from `ss` (procps/iproute2) or `lsof`, whichever exists. */
export async function portHolder(port: number): Promise<string | null> {
  let pid: number | null = null;
  let name: string | null = null;
  const ss = await run('ss', ['-Hltnp', `sport = :${port}`]);
  const fromSs = ss ? /users:\(\("([^"]+)",pid=(\d+)/.exec(ss) : null;
  if (fromSs) {
    name = fromSs[1]!;
    pid = Number(fromSs[2]);
  } else {
    const lsof = await run('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc']);
    const pidLine = lsof ? /^p(\d+)$/m.exec(lsof) : null;
    const nameLine = lsof ? /^c(.+)$/m.exec(lsof) : null;
    if (pidLine) {
      pid = Number(pidLine[1]);
      name = nameLine?.[1] ?? null;
    }
  }
  if (pid === null) return null;
  const argv = await readFile(`/proc/${pid}/cmdline`, 'utf8').then(
    (text) => text.split('\0').filter(Boolean),
    () => [],
  );
  // ss reports the thread name (node's is "MainThread"); the executable says more.
  const program = argv[0]?.split('/').at(-1) ?? name ?? 'process';
  return `${program} (pid ${pid})${argv.length > 0 ? `: ${argv.join(' ').slice(0, 160)}` : ''}`;
}

/** Every named port that cannot be bound on the host the services listen on. */
export async function portsInUse(ports: Record<string, number>, host = '127.0.0.1'): Promise<PortInUse[]> {
  const taken: PortInUse[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (await canListen(port, host)) continue;
    taken.push({ name, port, holder: await portHolder(port) });
  }
  return taken;
}
