import { defineConfig } from 'vitest/config';
import { filesToSkip } from './tests/support/host-binaries.ts';

// Files that start their own Postgres/RabbitMQ/PgBouncer from the host's packages are left out,
// with the reason printed, where those programs are missing; CI sets TRIBUTARY_REQUIRE_HOST_SUITES=1.
const skipFaults = filesToSkip('tests/faults/');
const skipScale = filesToSkip('tests/scale/');

// Three projects: the everyday suite; the fault suite that starts and kills its own
// Postgres and RabbitMQ (slow, run on its own with `pnpm test:faults`); and the
// scale suite (its own 3-node RabbitMQ cluster, many replicas), one file at a time.
export default defineConfig({
  test: {
    // `--project scale` on a host that lacks every program it needs runs nothing, and says why above.
    passWithNoTests: skipFaults.length + skipScale.length > 0,
    projects: [
      {
        test: {
          name: 'main',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
          exclude: ['tests/faults/**', 'tests/scale/**', '**/node_modules/**'],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...skipFaults],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        test: {
          name: 'scale',
          include: ['tests/scale/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...skipScale],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
