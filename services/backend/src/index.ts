export { buildApp } from './app.ts';
export { loadConfig, type BackendConfig } from './config.ts';
