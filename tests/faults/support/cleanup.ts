/**
 * Last-resort cleanup for what a fault test starts outside the stack runner
 * (its own RabbitMQ node, its own Postgres cluster, SIGSTOPped processes).
 * Every helper registers a synchronous `emergency` action here; it runs when the
 * test process exits for any reason (normal exit, uncaught error, SIGINT/SIGTERM
 * from vitest or a person), so no broker or database is left behind even when a
 * test fails before its afterAll. The normal path (afterAll → helper.cleanup())
 * unregisters the action once it has cleaned up properly.
 */
const actions = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const action of [...actions]) {
    actions.delete(action);
    try {
      action();
    } catch {
      // best effort: keep cleaning the rest
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      runAll();
      process.exit(130);
    });
  }
}

/** Registers a synchronous cleanup action; returns the function that unregisters it. */
export function onEmergencyExit(action: () => void): () => void {
  install();
  actions.add(action);
  return () => actions.delete(action);
}

/** Sends a signal to a pid, ignoring "no such process". */
export function signal(pid: number | undefined, name: NodeJS.Signals | 0): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/** Whether a pid is alive. */
export function alive(pid: number | undefined): boolean {
  return signal(pid, 0);
}
