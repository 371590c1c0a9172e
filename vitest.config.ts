import { defineConfig } from 'vitest/config';

// Three projects: the everyday suite; the fault suite that starts and kills its own
// Postgres and RabbitMQ (slow, run on its own with `pnpm test:faults`); and the
// scale suite (its own 3-node RabbitMQ cluster, many replicas), one file at a time.
export default defineConfig({
  test: {
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
