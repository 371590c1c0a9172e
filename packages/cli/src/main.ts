import { runCli } from './cli.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  env: process.env,
  fetch,
  // Live redraws only on a terminal; piped output gets plain lines.
  ...(process.stdout.isTTY ? { write: (text: string) => void process.stdout.write(text) } : {}),
});
