import { defineConfig } from 'vitest/config';

// The simulator's contract tests need no database or broker: this config runs them without the
// root project's global setup (`pnpm vitest run --config services/simulator/src/vitest.config.ts`).
// The root config runs them too, as part of the `main` project. It lives in src/ because the root
// tsconfig (which eslint's type-aware rules rely on) covers services/*/src but not services/*/*.ts.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['**/*.test.ts'],
    testTimeout: 30_000,
  },
});
