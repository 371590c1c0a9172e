/**
 * Deletes queues and exchanges that earlier test or benchmark runs left on the
 * shared broker (prefixes t_…, f_…, bench_… from runs killed before their own
 * cleanup); quorum queues hold memory even when empty. Production names have no
 * prefix and are never touched. Lists through rabbitmqctl (AMQP cannot list);
 * without it, does nothing. Run by .ci/run before the tests.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import amqp from 'amqplib';

const run = promisify(execFile);
const LEFTOVER = /^(t|f|bench)_[0-9a-f]+\./;

async function names(kind: 'list_queues' | 'list_exchanges'): Promise<string[]> {
  try {
    const { stdout } = await run('rabbitmqctl', ['-q', kind, 'name'], { timeout: 60_000 });
    return stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((name) => LEFTOVER.test(name));
  } catch {
    return [];
  }
}

const queues = await names('list_queues');
const exchanges = await names('list_exchanges');
if (queues.length + exchanges.length > 0) {
  const connection = await amqp.connect(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  const channel = await connection.createChannel();
  for (const queue of queues) await channel.deleteQueue(queue);
  for (const exchange of exchanges) await channel.deleteExchange(exchange);
  await connection.close();
}
console.log(`removed ${queues.length} leftover test queues and ${exchanges.length} exchanges`);
