import { loadConfig } from './config.ts';
import { buildApp } from './app.ts';
import { runMigrations } from '@tributary/db';

const config = (() => {
  try {
    return loadConfig();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
})();

await runMigrations(config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL);
const app = await buildApp(config);
await app.listen({ port: config.PORT, host: config.HOST });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
