// Lint with zero warnings (`npm run check`). Type-aware rules where they catch real bugs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'client/',
      'node_modules/',
      'data/',
      'server/db/migrations/',
      'server/runners/gql/',
      '**/*.mjs',
      'bench/**/*.py',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/await-thenable': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      // One way into TensorFlow.js, with its gradients and chained methods registered.
      'no-restricted-imports': [
        'error',
        ...['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers'].map((name) => ({
          name,
          message: 'import TensorFlow.js from server/ml/tf (it registers the gradients and chained methods)',
        })),
      ],
    },
  },
  { files: ['server/ml/tf.ts'], rules: { 'no-restricted-imports': 'off' } },
);
