import { runMigrations } from './migrate.ts';
import { errorMessage } from '@tributary/contracts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is required (e.g. postgres://postgres@127.0.0.1:5432/tributary)');
  process.exit(2);
}
try {
  await runMigrations(url);
  console.log('migrations applied');
} catch (error) {
  console.error(`migration failed: ${errorMessage(error)}`);
  process.exit(1);
}
