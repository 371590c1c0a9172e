import { defineConfig } from 'vitest/config';

// This package's unit tests need no database or broker: this config runs them without the
// root project's global setup (`pnpm vitest run --config packages/resilience/vitest.config.ts`).
// The root config runs them too, as part of the `main` project.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['src/**/*.test.ts'],
  },
});
