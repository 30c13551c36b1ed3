// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The layering rules of DESIGN.md, as import restrictions per folder. */
const ELECTRON_ONLY_IN_SHELL = {
  name: 'electron',
  message: 'Only the Electron shell (electron/main.ts, electron/preload.ts, electron/shell/*.electron.ts) imports electron.',
};

export default tseslint.config(
  { ignores: ['out/', 'dist/', 'node_modules/', 'test-results/', 'playwright-report/', 'test/.fixtures/', 'test/bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // Type-aware rules where the host and the engine run (typed by tsconfig.node.json).
    files: ['electron/**/*.ts', 'shared/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.node.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A default case does not make a switch over a union exhaustive: each member has its case.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'shared/ holds the contract and types only: no Node runtime.' },
            { regex: '^(electron|react|react-dom|node-llama-cpp)$', message: 'shared/ imports no runtime.' },
            { regex: '^\\.\\./(electron|renderer)/', message: 'shared/ imports nothing from electron/ or renderer/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'The renderer runs in a sandboxed page: no Node modules.' },
            { regex: '^(electron|node-llama-cpp|ws|conf|electron-store)$', message: 'The renderer talks to the host only through the contract.' },
            { regex: '(^|/)electron/', message: 'renderer/ imports nothing from electron/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**/*.ts', 'test/**/*.ts', '*.ts'],
    ignores: ['electron/main.ts', 'electron/preload.ts', 'electron/shell/*.electron.ts', 'test/e2e/electron.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [ELECTRON_ONLY_IN_SHELL] }] },
  },
);
