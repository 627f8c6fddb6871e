// ESLint flat config: @eslint/js recommended + typescript-eslint recommended for the whole repo.
// `npm run lint` (= `eslint .`) is part of `npm test`.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    '**/dist/**',
    '**/node_modules/**',
    '**/coverage/**',
    'schema/**',
    'web/dist-explorer/**',
    'web/src/gql/**',
    'test/gql/**',
    'bench/out/**',
    '.keys/**',
    '**/*.tsbuildinfo',
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    name: 'flashsale/all',
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      ecmaVersion: 2022,
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Allowed where unavoidable, with an `// eslint-disable-next-line` comment saying why.
      '@typescript-eslint/no-explicit-any': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },

  // Plain CommonJS scripts (e.g. scripts/start.js): node globals and require().
  {
    name: 'flashsale/commonjs',
    files: ['**/*.js', '**/*.cjs'],
    ignores: ['k6/**'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },

  // k6 scripts run in k6's own JavaScript runtime (ES modules, k6 globals), not in Node.
  {
    name: 'flashsale/k6',
    files: ['k6/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: { __ENV: 'readonly', __VU: 'readonly', __ITER: 'readonly', open: 'readonly', console: 'readonly' },
    },
  },

  // The storefront runs in the browser (web/src); its build config runs in Node.
  {
    name: 'flashsale/web',
    files: ['web/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },

  // Tests: jest globals (type-aware in TS through @types/jest; needed for any plain JS helpers).
  {
    name: 'flashsale/tests',
    files: ['test/**', '**/*.test.ts', '**/*.spec.ts'],
    languageOptions: { globals: { ...globals.jest } },
  },
);
