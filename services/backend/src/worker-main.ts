import { createLogger } from '@tributary/observability';
import { loadWorkerConfig } from './workers/worker-config.ts';
import { startWorker } from './workers/worker.ts';
import { errorMessage } from '@tributary/contracts';

const config = (() => {
  try {
    return loadWorkerConfig();
  } catch (error) {
    console.error(errorMessage(error));
    process.exit(2);
  }
})();
const logger = createLogger('worker', { level: config.LOG_LEVEL });
const worker = await startWorker(config, logger);
logger.info({ url: worker.url }, 'worker ready');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping: finishing in-flight batches');
    const forced = setTimeout(() => process.exit(1), 60_000);
    forced.unref();
    worker.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
