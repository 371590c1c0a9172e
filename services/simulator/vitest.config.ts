import { defineConfig } from 'vitest/config';

// The simulator's contract tests need no database or broker: this config runs them without the
// root project's global setup (`pnpm vitest run --config services/simulator/vitest.config.ts`).
// The root config runs them too, as part of the `main` project.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
