import { loadExtractConfig } from './config.ts';
import { startExtractService } from './service.ts';
import { createLogger } from '@tributary/observability';
import { errorMessage } from '@tributary/contracts';

const config = (() => {
  try {
    return loadExtractConfig();
  } catch (error) {
    console.error(errorMessage(error));
    process.exit(2);
  }
})();
const logger = createLogger('extract', { level: config.LOG_LEVEL });
const service = await startExtractService(config, logger);
logger.info({ port: config.PORT }, 'extract service ready');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping: in-flight jobs reach a safe point or return to the queue');
    const forced = setTimeout(() => process.exit(1), 90_000);
    forced.unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
