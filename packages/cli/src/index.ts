export { runCli, type CliIo } from './cli.ts';
export { sendJson } from './api-connection.ts';
