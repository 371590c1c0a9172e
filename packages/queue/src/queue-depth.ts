import type { Channel } from 'amqplib';

/**
 * Messages ready for delivery in `queue` (not counting unacked ones), for
 * worker sizing. A missing queue makes the broker close `channel` (404), so
 * use a channel you can spare.
 */
export async function queueDepth(channel: Channel, queue: string): Promise<number> {
  const { messageCount } = await channel.checkQueue(queue);
  return messageCount;
}
