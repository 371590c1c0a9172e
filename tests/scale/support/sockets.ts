import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { Cluster } from './cluster.ts';

const run = promisify(execFile);

/**
 * Which of `pids` owns the loopback TCP connection whose local port is `port`
 * (from `ss -tnp`): how a test tells which process a broker channel or a
 * Postgres backend belongs to, so it can kill exactly the one mid-work.
 */
export async function ownerOfPort(port: number, pids: readonly number[]): Promise<number | undefined> {
  const { stdout } = await run('ss', ['-tnpH', 'state', 'established']);
  for (const line of stdout.split('\n')) {
    const [, , local, , users] = line.trim().split(/\s+/);
    if (!local?.endsWith(`:${port}`) || !users) continue;
    const pid = Number(/pid=(\d+)/.exec(users)?.[1]);
    if (pids.includes(pid)) return pid;
  }
  return undefined;
}

const channelRow = z.object({
  name: z.string(),
  messages_unacknowledged: z.number(),
  consumer_count: z.number(),
});

/**
 * Of `pids`, the processes holding unacknowledged deliveries on a consuming
 * channel of the cluster (a channel's name starts with the client's address).
 */
export async function processesHoldingDeliveries(
  cluster: Cluster,
  via: number,
  pids: readonly number[],
): Promise<number[]> {
  const out = await cluster.nodes[via]!.ctl([
    'list_channels',
    '-q',
    '--formatter',
    'json',
    'name',
    'messages_unacknowledged',
    'consumer_count',
  ]);
  const holders = new Set<number>();
  for (const channel of z.array(channelRow).parse(JSON.parse(out))) {
    if (channel.messages_unacknowledged === 0 || channel.consumer_count === 0) continue;
    const port = Number(/^[\d.]+:(\d+) ->/.exec(channel.name)?.[1]);
    const pid = await ownerOfPort(port, pids);
    if (pid !== undefined) holders.add(pid);
  }
  return [...holders];
}
