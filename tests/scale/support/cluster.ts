import { z } from 'zod';
import { startRabbit, type FaultRabbit } from '../../faults/support/rabbit.ts';
import { waitFor } from '../../support/wait.ts';

/**
 * A RabbitMQ cluster of the test's own: `size` private nodes (see
 * tests/faults/support/rabbit.ts: own node name, AMQP and distribution ports,
 * data directory; one Erlang cookie, the rabbitmq user's, shared by all), the
 * second and later joined to the first with `rabbitmqctl join_cluster`. Queues
 * declared after the join are quorum queues with a member on every node.
 */
export interface Cluster {
  readonly nodes: readonly FaultRabbit[];
  /** Every node's URL, starting at node `first` and going round: a client's failover order. */
  urls: (first: number) => string;
  /** The node (index) a quorum queue's leader runs on, asked of a running node. */
  leaderOf: (queue: string) => Promise<number>;
  /** Node names the cluster reports running, asked of node `via`. */
  runningNodes: (via: number) => Promise<string[]>;
  /** Members of a quorum queue (node names), asked of node `via`. */
  membersOf: (queue: string, via: number) => Promise<string[]>;
  cleanup: () => Promise<void>;
}

const queueRow = z.object({ name: z.string(), leader: z.string(), members: z.array(z.string()) });
const statusSchema = z.object({ running_nodes: z.array(z.string()) });

export async function startCluster(size = 3): Promise<Cluster> {
  const nodes: FaultRabbit[] = [];
  try {
    // One after the other: each start takes a few seconds of a CPU, and the machine is shared.
    for (let i = 0; i < size; i++) nodes.push(await startRabbit());
    for (const node of nodes.slice(1)) {
      await node.ctl(['stop_app']);
      await node.ctl(['join_cluster', nodes[0]!.node]);
      await node.ctl(['start_app']);
    }
  } catch (error) {
    for (const node of nodes) await node.cleanup();
    throw error;
  }
  const alive = async (): Promise<FaultRabbit> => {
    const node = nodes.find((n) => n.pid() !== undefined);
    if (!node) throw new Error('no cluster node is running');
    return node;
  };
  const listQueues = async (via?: number) => {
    const node = via === undefined ? await alive() : nodes[via]!;
    const out = await node.ctl(['list_queues', '-q', '--formatter', 'json', 'name', 'leader', 'members']);
    return z.array(queueRow).parse(JSON.parse(out));
  };
  const cluster: Cluster = {
    nodes,
    urls: (first) => nodes.map((_, i) => nodes[(first + i) % nodes.length]!.url).join(','),
    leaderOf: async (queue) => {
      const row = (await listQueues()).find((q) => q.name === queue);
      if (!row) throw new Error(`no queue ${queue}`);
      const index = nodes.findIndex((n) => n.node === row.leader);
      if (index < 0) throw new Error(`leader ${row.leader} of ${queue} is not a node of this cluster`);
      return index;
    },
    runningNodes: async (via) => {
      const out = await nodes[via]!.ctl(['cluster_status', '--formatter', 'json']);
      return statusSchema.parse(JSON.parse(out)).running_nodes.sort();
    },
    membersOf: async (queue, via) => {
      const row = (await listQueues(via)).find((q) => q.name === queue);
      return (row?.members ?? []).sort();
    },
    cleanup: async () => {
      for (const node of nodes) await node.cleanup();
    },
  };
  await waitFor(
    async () => (await cluster.runningNodes(0)).length === size,
    60_000,
    `all ${size} nodes running in the cluster`,
  );
  return cluster;
}
