import { buildSimulator } from './app.ts';
import { EnvError, loadSettings } from './env.ts';

let settings;
try {
  settings = loadSettings(process.env, process.argv.slice(2));
} catch (e) {
  if (e instanceof EnvError) {
    process.stderr.write(`simulator: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}

const app = buildSimulator(settings.config);
try {
  await app.listen({ port: settings.port, host: settings.host });
} catch (e) {
  app.log.error({ err: e }, 'simulator failed to listen');
  process.exit(1);
}

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'simulator shutting down');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'simulator close failed');
        process.exit(1);
      },
    );
  });
}
