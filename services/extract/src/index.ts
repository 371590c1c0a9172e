export { startExtractService, type RunningExtractService } from './service.ts';
export { loadExtractConfig, type ExtractConfig } from './config.ts';
