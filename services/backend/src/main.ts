import { loadConfig } from './config.ts';
import { buildApp } from './app.ts';
import { createPool, runMigrations } from '@tributary/db';
import { CredentialsCipher } from './security/credentials-cipher.ts';
import { verifyEncryptionKeys } from './security/key-check.ts';
import { errorMessage } from '@tributary/contracts';

const config = (() => {
  try {
    return loadConfig();
  } catch (error) {
    console.error(errorMessage(error));
    process.exit(2);
  }
})();

await runMigrations(config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL);
{
  const pool = createPool(config.DATABASE_URL, { max: 1, applicationName: 'tributary-key-check' });
  try {
    await verifyEncryptionKeys(
      pool,
      new CredentialsCipher(config.TRIBUTARY_ENCRYPTION_KEY, config.TRIBUTARY_PREVIOUS_ENCRYPTION_KEYS),
    );
  } catch (error) {
    console.error(errorMessage(error));
    process.exit(2);
  } finally {
    await pool.end();
  }
}
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
