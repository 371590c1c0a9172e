import amqp from 'amqplib';
import { names } from '@tributary/queue';

/** Messages ready in the work and dead-letter queues of a prefix (all should be 0 once a run is settled). */
export async function queueDepths(
  url: string,
  prefix: string,
): Promise<{ extract: number; transform: number; dead: number }> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    const n = names(prefix);
    const depth = async (queue: string) => (await channel.checkQueue(queue)).messageCount;
    return {
      extract: await depth(n.extract),
      transform: await depth(n.transform),
      dead: await depth(n.dead),
    };
  } finally {
    await connection.close();
  }
}
