export { runCli, type CliIo } from './cli.ts';
