export * from './logger.ts';
export * from './metrics.ts';
export * from './health.ts';
export * from './request-logging.ts';
