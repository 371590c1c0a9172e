import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vitest from '@vitest/eslint-plugin';

export default tseslint.config(
  { ignores: ['node_modules', '.tools', 'migrations', '**/*.js', 'coverage', '**/dist'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      // strictTypeChecked, less what is style or wrong here:
      // numbers in messages are what log and error lines are made of.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // With noUncheckedIndexedAccess, `rows[0]!` after a checked length is the idiom, not a risk.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Style: `() => void promise` and arrow bodies returning void calls read fine.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // False positives on state that changes across an await (consumer state, stopping flags)
      // and on row types that say number where pg may hand back a string.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      // Header and env maps are maps: deleting a computed key is what they are for.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // Strings are spread to hash their code points (simulator ids), which is what is meant.
      '@typescript-eslint/no-misused-spread': 'off',
    },
  },
  {
    files: ['**/*.test.ts', 'tests/**/*.ts'],
    plugins: { vitest },
    rules: {
      ...vitest.configs.recommended.rules,
      // vitest's expect takes a message as its second argument.
      'vitest/valid-expect': ['error', { maxArgs: 2 }],
      // Our assertion helpers are named expect… (expectSettled, expectShape…).
      'vitest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*', 'assert*'] }],
      // A suite's precondition (the seed run finished) is checked where it is set up.
      'vitest/no-standalone-expect': ['error', { additionalTestBlockFunctions: ['beforeAll', 'beforeEach'] }],
    },
  },
);
